#!/usr/bin/env bash
# Cost against the store's size, on a 3-node cluster of `synod server` processes on loopback (bench/lib.sh): loads N
# keys of 100 bytes with wrk at 64 connections as fast as the cluster takes them, then on the full store measures PUTs
# (random existing keys, 64 connections), each node's resident size and live heap, the snapshots the nodes wrote, and
# the recovery of one follower holding the store (kill -9, restart, time until it has applied what the master had).
#
#   bench/scale.sh [--keys N] [--duration SECONDS] [--election NAME] [--base-port P] [-- SERVER FLAGS...]
#
# Defaults: 1,000,000 keys, 10 s, paxoslease, ports 7600-7612. Server flags after -- go to every node (e.g.
# -- --heap 2g --snapshot-log-ratio 0.5). Needs wrk, curl and the JDK's jcmd. Binds 127.0.0.1 only; stops what it
# started, by pid.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
keys=1000000 duration=10 election=paxoslease base=7600
server_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --keys) keys=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --election) election=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    --) shift; server_args+=("$@"); break ;;
    *) echo "scale.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$keys" =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: --keys must be a positive number" >&2; exit 2; }
command -v wrk >/dev/null || { echo "scale.sh: needs wrk (apt-get install -y wrk)" >&2; exit 2; }
command -v curl >/dev/null || { echo "scale.sh: needs curl (apt-get install -y curl)" >&2; exit 2; }
name=scale
server_args=(--election "$election" "${server_args[@]}")
. "$root/bench/lib.sh"
for id in 0 1 2; do start "$id"; done
target=$(writer "$election")
[[ $target -ge 0 ]] || { echo "scale.sh: no node serves writes" >&2; exit 1; }
url=$(http "$target")
lua_load=$(mktemp /tmp/synod-scale-load.XXXXXX.lua)
lua_put=$(mktemp /tmp/synod-scale-put.XXXXXX.lua)
trap 'rm -f "$lua_load" "$lua_put"; cleanup' EXIT
# Loading: thread t of T writes keys t, t+T, t+2T, ... and, once it has passed N, stops and leaves a marker file (wrk
# itself runs out its duration, so the script interrupts it once every thread is done).
cat > "$lua_load" <<'LUA'
local created = 0
function setup(thread) thread:set("tid", created); created = created + 1 end
function init(args)
  keys, stride, marker, n, body = tonumber(args[1]), tonumber(args[2]), args[3], 0, string.rep("v", 100)
end
function request()
  local k = (tid + n * stride) % keys
  n = n + 1
  return wrk.format("PUT", string.format("/v1/kv/k%08d", k), nil, body)
end
function response()
  if tid + n * stride >= keys + stride * 64 then
    if not marked then io.open(marker .. tid, "w"):close(); marked = true end
    wrk.thread:stop()
  end
end
LUA
# Measuring: PUTs of random existing keys.
cat > "$lua_put" <<'LUA'
local created = 0
function setup(thread) thread:set("tid", created); created = created + 1 end
function init(args) keys, body = tonumber(args[1]), string.rep("v", 100); math.randomseed(7 + tid) end
function request()
  return wrk.format("PUT", string.format("/v1/kv/k%08d", math.random(0, keys - 1)), nil, body)
end
LUA
applied() { curl -s -m 2 "$(http "$1")/v1/status" | sed -n 's/.*"applied":\([0-9]*\).*/\1/p' | head -1; }
snapshots() { # node: the size in bytes of every snapshot it wrote, one a line
  { grep -o 'wrote snapshot at slot [0-9]* ([0-9]* bytes)' "$data/node-$1.log" || true; } |
    sed 's/.*(\([0-9]*\) bytes)/\1/'
}
figures() { # wrk output -> "rate p50 p99"
  echo "$1" | awk '/^Requests\/sec:/ { r = $2 } /^ *50%/ { p50 = $2 } /^ *99%/ { p99 = $2 } END { print r, p50, p99 }'
}
echo "scale: $keys keys of 100 B, election $election, master node $target, $(nproc) cores, $(date -u '+%F %H:%M UTC')"
echo "server flags: ${server_args[*]}"
started=$(date +%s.%N)
marker="$data/loaded-"
wrk -t 2 -c 64 -d 86400s --latency -s "$lua_load" "$url" -- "$keys" 2 "$marker" > "$data/load.out" &
wrk_pid=$!
until [[ -f "${marker}0" && -f "${marker}1" ]]; do sleep 0.1; done
kill -INT "$wrk_pid"
wait "$wrk_pid" || true
load_s=$(echo "$(date +%s.%N) - $started" | bc)
out=$(cat "$data/load.out")
read -r rate p50 p99 <<<"$(figures "$out")"
printf 'load      %9d keys in %6.1f s  %8s req/s  p50 %8s  p99 %8s\n' "$keys" "$load_s" "$rate" "$p50" "$p99"
count=$(curl -s "$url/v1/kv?prefix=k&limit=1" -o /dev/null -w '%{http_code}')
[[ "$count" == 200 ]] || echo "scale: listing the keys answered $count" >&2
out=$(wrk -t 2 -c 64 -d "${duration}s" --latency -s "$lua_put" "$url" -- "$keys")
read -r rate p50 p99 <<<"$(figures "$out")"
printf 'PUT 100 B on the full store, 64 conns, %s s: %8s req/s  p50 %8s  p99 %8s\n' "$duration" "$rate" "$p50" "$p99"
for id in 0 1 2; do
  pid=${pids[$id]}
  rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  "$JAVA_HOME/bin/jcmd" "$pid" GC.run >/dev/null
  heap=$("$JAVA_HOME/bin/jcmd" "$pid" GC.heap_info | awk '
    /garbage-first heap/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); print int(v / 1024) "M" } }
    /ZHeap/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/,$/, "", v); print v } }' | head -1)
  snaps=$(snapshots "$id" | wc -l)
  sizes=$(snapshots "$id" | tail -3 | awk '{ printf "%s%.1f", sep, $1 / 1048576; sep = " " }')
  printf 'node %d: RSS %5s MB  live heap %6s  %3s snapshots written (last sizes MB: %s)\n' \
    "$id" "$rss" "$heap" "$snaps" "$sizes"
done
[[ $(snapshots "$target" | wc -l) -gt 0 ]] &&
  printf 'snapshots: the master wrote one every %.0f s on average\n' \
    "$(echo "($load_s + $duration) / $(snapshots "$target" | wc -l)" | bc -l)"
victim=$(( (target + 1) % 3 ))
kill -9 "${pids[$victim]}"
wait "${pids[$victim]}" 2>/dev/null || true
goal=$(applied "$target")
started=$(date +%s.%N)
start "$victim"
for ((i = 0; i < 12000; i++)); do # 10 minutes at most
  [[ "$(applied "$victim" || true)" -ge "$goal" ]] 2>/dev/null && break
  sleep 0.05
done
caught_up=$(echo "$(date +%s.%N) - $started" | bc)
recovered=$(grep -o 'recovered .* in [0-9]* ms' "$data/node-$victim.log" | tail -1 | sed 's/.* in \([0-9]*\) ms/\1/')
printf 'recovery of node %d (kill -9, restart): recovered its data dir in %s ms, applied slot %s after %.2f s\n' \
  "$victim" "$recovered" "$goal" "$caught_up"
