#!/usr/bin/env bash
# Failover figures: starts a 3-node cluster of `synod server` processes on loopback, then KILLS times stops the master
# (kill -9, or SIGTERM with --planned) while a writer keeps writing, and measures how long until a write succeeds again
# through another node (the time a client sees the cluster without a master). Prints each time and p50/p90/p99/max.
#
#   bench/failover.sh [--kills N] [--planned] [--election NAME] [--lease-ms MS] [--base-port P]
#
# Needs curl. Binds 127.0.0.1 only; stops every process it started, by pid, on exit.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kills=20 planned=false election=paxoslease lease=2000 base=7400
while [[ $# -gt 0 ]]; do
  case "$1" in
    --kills) kills=$2; shift 2 ;;
    --planned) planned=true; shift ;;
    --election) election=$2; shift 2 ;;
    --lease-ms) lease=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    *) echo "failover.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v curl >/dev/null || { echo "failover.sh: needs curl (apt-get install -y curl)" >&2; exit 2; }
name=failover
server_args=(--election "$election" --lease-ms "$lease")
. "$root/bench/lib.sh"
master() { # the id a node reports as master, or -1
  for id in 0 1 2; do
    m=$(curl -s -m 0.5 "$(http "$id")/v1/status" | sed -n 's/^{"id":\([0-9]*\),"role":"master".*/\1/p' | head -1)
    [[ -n "$m" ]] && { echo "$m"; return; }
  done
  echo -1
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
for id in 0 1 2; do start "$id"; done
for _ in $(seq 200); do [[ $(master) -ge 0 ]] && break; sleep 0.1; done
times=()
for k in $(seq "$kills"); do
  m=$(master)
  while [[ $m -lt 0 ]]; do sleep 0.05; m=$(master); done
  other=$(( (m + 1) % 3 ))
  curl -s -m 2 -o /dev/null -X PUT --data-binary "before $k" "$(http "$other")/v1/kv/failover" || true
  if $planned; then kill -TERM "${pids[$m]}"; else kill -9 "${pids[$m]}"; fi
  t0=$(now_ms)
  while true; do
    code=$(curl -s -m 1 -o /dev/null -w '%{http_code}' -X PUT --data-binary "after $k" "$(http "$other")/v1/kv/failover" || true)
    [[ "$code" == 200 ]] && break
    other2=$(( (m + 2) % 3 )); other=$(( other == other2 ? (m + 1) % 3 : other2 ))
  done
  t=$(( $(now_ms) - t0 ))
  times+=("$t")
  echo "kill $k of node $m: a write succeeded again after $t ms"
  while kill -0 "${pids[$m]}" 2>/dev/null; do sleep 0.05; done
  start "$m"
  sleep $(awk "BEGIN{print ($lease + 500) / 1000}") # the restarted node waits a lease before taking part
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
n=${#sorted[@]}
pct() { local i=$(( ($1 * n + 99) / 100 - 1 )); (( i < 0 )) && i=0; echo "${sorted[$i]}"; }
echo "failover ($([[ $planned == true ]] && echo "SIGTERM" || echo "kill -9"), election $election, lease $lease ms, $n times):" \
  "p50 $(pct 50) ms, p90 $(pct 90) ms, p99 $(pct 99) ms, max ${sorted[$((n - 1))]} ms"
