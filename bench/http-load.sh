#!/usr/bin/env bash
# Read and write figures with wrk against a 3-node cluster of `synod server` processes on loopback:
# linearizable (a lease read on the master), quorum (ReadIndex) and stale GETs at 1 and 64 connections on the master,
# and PUTs of 100 bytes at 1 connection, with the election given (run it once with paxoslease and once with none).
#
#   bench/http-load.sh [--election NAME] [--duration SECONDS] [--base-port P]
#
# Needs wrk (Debian: apt-get install -y wrk) and curl. Binds 127.0.0.1 only; stops what it started, by pid.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
election=paxoslease duration=10 base=7500
while [[ $# -gt 0 ]]; do
  case "$1" in
    --election) election=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    *) echo "http-load.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "http-load.sh: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "http-load.sh: needs curl (apt-get install -y curl)" >&2; exit 2; }
name=load
server_args=(--election "$election")
. "$root/bench/lib.sh"
for id in 0 1 2; do start "$id"; done
target=$(writer "$election")
[[ $target -ge 0 ]] || { echo "http-load.sh: no node serves writes" >&2; exit 1; }
url=$(http "$target")
curl -s -o /dev/null -X PUT --data-binary "$(head -c 100 /dev/zero | tr '\0' v)" "$url/v1/kv/bench"
put=$(mktemp /tmp/synod-put.XXXXXX.lua)
printf 'wrk.method = "PUT"\nwrk.body = string.rep("v", 100)\n' > "$put"
run() { # name connections url [script]
  local out
  out=$(wrk -t "$(( $2 < 2 ? 1 : 2 ))" -c "$2" -d "${duration}s" --latency ${4:+-s "$4"} "$3")
  local rate p50 p99
  rate=$(echo "$out" | sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
  p50=$(echo "$out" | sed -n 's/^ *50% *\([0-9.]*[a-z]*\).*/\1/p')
  p99=$(echo "$out" | sed -n 's/^ *99% *\([0-9.]*[a-z]*\).*/\1/p')
  printf '%-34s %3s conns  %10s req/s  p50 %8s  p99 %8s\n' "$1" "$2" "$rate" "$p50" "$p99"
}
echo "election $election, node $target, ${duration} s each, $(nproc) cores"
for c in 1 64; do
  run "GET linearizable" "$c" "$url/v1/kv/bench"
  run "GET quorum (ReadIndex)" "$c" "$url/v1/kv/bench?consistency=quorum"
  run "GET stale" "$c" "$url/v1/kv/bench?consistency=stale"
done
run "PUT 100 B" 1 "$url/v1/kv/bench" "$put"
run "PUT 100 B" 64 "$url/v1/kv/bench" "$put"
rm -f "$put"
