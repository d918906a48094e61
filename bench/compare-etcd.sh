#!/usr/bin/env bash
# Synod against etcd, the same load on both, in one run: starts a 3-member etcd and a 3-node Synod cluster
# (`synod server`, default election) on 127.0.0.1 with temporary data dirs, preloads the same key space into both, and
# drives them with wrk (bench/wrk-kv.lua: 100-byte values, random keys k0..k<KEYS-1>), always at the leader (etcd's,
# from `etcdctl endpoint status -w json`) or master (Synod's, from /v1/status):
#   PUT at 1, 16 and 64 connections   Synod PUT /v1/kv/k<N>     etcd POST /v3/kv/put {"key":b64,"value":b64}
#   GET at 1 and 64 connections       Synod GET /v1/kv/k<N>     etcd POST /v3/kv/range {"key":b64}
# Both reads are linearizable (Synod's default consistency; etcd's default serializable=false). Each round runs every
# workload on both systems back to back, etcd first in odd rounds and Synod first in even ones. Prints one markdown
# table (the best round by throughput of each workload and system, with its p50 and p99, and the errors summed over
# every round) and writes it to --out FILE too.
#
#   bench/compare-etcd.sh [--duration S] [--rounds R] [--warmup S] [--quick] [--keys N] [--out FILE] [--base-port P]
#
#   --duration S   seconds per run (default 10)          --rounds R   rounds (default 2)
#   --warmup S     seconds of unmeasured PUTs and GETs at 16 connections on each system after the preload, so
#                  Synod's JIT has compiled its hot paths before the first measured run (default 5)
#   --quick        a smoke run: 2 s per run, 1 round, 1 s warmup
#   --keys N       the key space (default 1000)          --out FILE   also write the table to FILE
#   --base-port P  Synod uses P..P+12, etcd P+100..P+112 (default 7800)
#
# The data dirs go under $TMPDIR (default /tmp): put it on the disk to measure (fsync on tmpfs costs nothing).
#
# etcd flags: only what a 3-member loopback cluster needs (names, data dirs, client/peer URLs, the initial cluster and
# its token) and --logger zap (3.4's default logger is deprecated and noisy). Everything else is etcd's default, as in
# a production cluster: fsync of the WAL on every commit, heartbeat 100 ms, election 1000 ms, snapshot every 100,000
# entries, 2 GB quota. Synod: `synod server` defaults (fsync on, paxoslease with a 2 s lease). Binds 127.0.0.1 only;
# stops every process it started, by pid, on exit, error and Ctrl-C, and deletes the data dirs.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=10 rounds=2 warmup=5 keys=1000 out="" base=7800
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --quick) duration=2; rounds=1; warmup=1; shift ;;
    --keys) keys=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    *) echo "compare-etcd.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$duration" =~ ^[1-9][0-9]*$ && "$rounds" =~ ^[1-9][0-9]*$ && "$warmup" =~ ^[0-9]+$ && "$keys" =~ ^[1-9][0-9]*$ \
    && "$keys" -ge 2 ]] || {
  echo "compare-etcd.sh: --duration, --rounds, --warmup and --keys need whole numbers (keys at least 2)" >&2; exit 2; }
command -v etcd >/dev/null && command -v etcdctl >/dev/null || {
  echo "compare-etcd.sh: needs etcd and etcdctl: apt-get install -y etcd-server etcd-client" >&2; exit 2; }
command -v wrk >/dev/null || { echo "compare-etcd.sh: needs wrk: apt-get install -y wrk" >&2; exit 2; }
command -v curl >/dev/null || { echo "compare-etcd.sh: needs curl: apt-get install -y curl" >&2; exit 2; }
script="$root/bench/wrk-kv.lua"

# Synod: the shared cluster start/stop (its EXIT trap kills the nodes and deletes their data dir; ours adds etcd's).
name=compare
server_args=()
. "$root/bench/lib.sh"
etcd_data=$(mktemp -d "${TMPDIR:-/tmp}/etcd-compare.XXXXXX")
declare -a etcd_pids
stop_all() {
  for pid in "${etcd_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$etcd_data"
  cleanup
}
trap stop_all EXIT
trap 'echo "compare-etcd.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

etcd_client() { echo "http://127.0.0.1:$((base + 100 + $1))"; }
etcd_peer() { echo "http://127.0.0.1:$((base + 110 + $1))"; }
initial="e0=$(etcd_peer 0),e1=$(etcd_peer 1),e2=$(etcd_peer 2)"
for i in 0 1 2; do
  etcd --name "e$i" --data-dir "$etcd_data/e$i" --logger zap \
    --listen-client-urls "$(etcd_client "$i")" --advertise-client-urls "$(etcd_client "$i")" \
    --listen-peer-urls "$(etcd_peer "$i")" --initial-advertise-peer-urls "$(etcd_peer "$i")" \
    --initial-cluster "$initial" --initial-cluster-state new --initial-cluster-token "compare-$$" \
    > "$etcd_data/e$i.log" 2>&1 &
  etcd_pids[i]=$!
  disown "${etcd_pids[$i]}"
done
for id in 0 1 2; do start "$id"; done
etcd_endpoints="$(etcd_client 0),$(etcd_client 1),$(etcd_client 2)"

# The etcd leader: the endpoint whose status names itself (member_id == leader).
etcd_leader() {
  etcdctl --endpoints="$etcd_endpoints" --command-timeout=2s endpoint status -w json 2>/dev/null \
    | sed 's/},{"Endpoint"/}\n{"Endpoint"/g' | while IFS= read -r entry; do
      member=$(grep -o '"member_id":[0-9]*' <<<"$entry" | sed -n 1p | cut -d: -f2)
      leader=$(grep -o '"leader":[0-9]*' <<<"$entry" | sed -n 1p | cut -d: -f2)
      if [[ -n "$member" && "$member" == "$leader" ]]; then
        sed -n 's/.*"Endpoint":"\([^"]*\)".*/\1/p' <<<"$entry"
      fi
    done | sed -n 1p
}
synod_master() {
  for id in 0 1 2; do
    m=$(curl -s -m 1 "$(http "$id")/v1/status" | sed -n 's/.*"role":"master".*"masterHttp":"\([^"]*\)".*/\1/p')
    [[ -n "$m" ]] && { echo "$m"; return; }
  done
}
etcd_url="" synod_url=""
for _ in $(seq 300); do
  [[ -z "$etcd_url" ]] && etcd_url=$(etcd_leader || true)
  [[ -z "$synod_url" ]] && synod_url=$(synod_master || true)
  [[ -n "$etcd_url" && -n "$synod_url" ]] && break
  sleep 0.2
done
[[ -n "$etcd_url" ]] || { echo "compare-etcd.sh: etcd elected no leader; see $etcd_data/e0.log" >&2; tail -5 "$etcd_data/e0.log" >&2; exit 1; }
[[ -n "$synod_url" ]] || { echo "compare-etcd.sh: Synod elected no master; see $data/node-0.log" >&2; exit 1; }

# One wrk run: prints "rps p50 p99 errors p90 p999 requests" (latencies in microseconds; errors = non-2xx answers +
# socket errors).
run_wrk() { # system op connections seconds
  local url threads result
  url=$([[ $1 == etcd ]] && echo "$etcd_url" || echo "$synod_url")
  threads=$(( $3 < 2 ? 1 : 2 ))
  result=$(wrk -t "$threads" -c "$3" -d "${4}s" --timeout 5s -s "$script" "$url" -- "$1" "$2" "$keys" 100 "$threads" \
    | grep '^RESULT ') || { echo "compare-etcd.sh: wrk failed on $1 $2" >&2; return 1; }
  field() { sed -n "s/.* $1=\\([^ ]*\\).*/\\1/p" <<<"$result"; }
  if [[ $2 == preload ]]; then
    [[ $(field complete) == true && $(field non2xx) == 0 && $(field socket_errors) == 0 ]] || {
      echo "compare-etcd.sh: preloading $1 did not write every key cleanly: $result" >&2; return 1; }
  fi
  echo "$(field rps) $(field p50) $(field p99) $(( $(field non2xx) + $(field socket_errors) )) $(field p90)" \
    "$(field p999) $(field requests)"
}

jar_version=$("$JAVA_HOME/bin/java" -jar "$jar" --version 2>/dev/null | sed -n 1p)
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
header="$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(uname -m)), $(etcd --version | sed -n 1p), $jar_version"
header+=" (commit $commit, $("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 1p | tr -d '"')), $({ wrk --version 2>&1 || true; } | sed -n 1p | cut -d' ' -f1-2)"
header+="; ${duration} s per run after ${warmup} s warmup, $rounds round(s), $keys keys, 100-byte values; etcd leader $etcd_url, Synod master $synod_url"
echo "$header" >&2

preload_seconds=$(( keys / 200 + 3 ))
for system in etcd synod; do
  run_wrk "$system" preload 16 "$preload_seconds" >/dev/null
done
echo "preloaded $keys keys into both" >&2
if [[ $warmup -gt 0 ]]; then
  for system in etcd synod; do
    run_wrk "$system" put 16 "$warmup" >/dev/null
    run_wrk "$system" get 16 "$warmup" >/dev/null
  done
  echo "warmed up both ($warmup s of PUTs and GETs each)" >&2
fi

ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
workloads=("PUT 1" "PUT 16" "PUT 64" "GET 1" "GET 64")
declare -A results
for round in $(seq "$rounds"); do
  order=(etcd synod); (( round % 2 == 0 )) && order=(synod etcd)
  for workload in "${workloads[@]}"; do
    op=$([[ ${workload% *} == PUT ]] && echo put || echo get)
    for system in "${order[@]}"; do
      results["$workload,$system,$round"]=$(run_wrk "$system" "$op" "${workload#* }" "$duration")
      read -r rps p50 p99 errors p90 p999 requests <<<"${results["$workload,$system,$round"]}"
      printf 'round %d  %-6s conns  %-5s %9s req/s (%d requests)  p50 %s  p90 %s  p99 %s  p99.9 %s  errors %d\n' \
        "$round" "$workload" "$system" "$rps" "$requests" "$(ms "$p50")" "$(ms "$p90")" "$(ms "$p99")" "$(ms "$p999")" \
        "$errors" >&2
    done
  done
done

best() { # workload system -> "rps p50 p99 errors" of the round with the highest rps, errors summed over the rounds
  local line best_line="" errors=0 run_errors
  for round in $(seq "$rounds"); do
    line=${results["$1,$2,$round"]}
    read -r _ _ _ run_errors _ <<<"$line"
    errors=$(( errors + run_errors ))
    if [[ -z "$best_line" ]] || awk -v a="${line%% *}" -v b="${best_line%% *}" 'BEGIN { exit !(a > b) }'; then
      best_line=$line
    fi
  done
  read -r rps p50 p99 _ <<<"$best_line"
  echo "$rps $p50 $p99 $errors"
}
cell() { # rps p50 p99 errors
  local errors=""
  [[ $4 -gt 0 ]] && errors=" **($4 errors)**"
  printf '%s%s | %s | %s' "$1" "$errors" "$(ms "$2")" "$(ms "$3")"
}
table=$(
  echo "Synod vs etcd: $header"
  echo
  echo "| workload | etcd req/s | etcd p50 | etcd p99 | Synod req/s | Synod p50 | Synod p99 | Synod/etcd |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for workload in "${workloads[@]}"; do
    read -r e_rps e_p50 e_p99 e_err <<<"$(best "$workload" etcd)"
    read -r s_rps s_p50 s_p99 s_err <<<"$(best "$workload" synod)"
    ratio=$(awk -v s="$s_rps" -v e="$e_rps" 'BEGIN { if (e > 0) printf "%.2f", s / e; else print "n/a" }')
    kind=$([[ ${workload% *} == PUT ]] && echo "PUT 100 B" || echo "GET linearizable")
    conns=$([[ ${workload#* } == 1 ]] && echo "1 connection" || echo "${workload#* } connections")
    echo "| $kind, $conns | $(cell "$e_rps" "$e_p50" "$e_p99" "$e_err") | $(cell "$s_rps" "$s_p50" "$s_p99" "$s_err") | $ratio |"
  done
  echo
  echo "Best of $rounds round(s) by throughput; errors (non-2xx answers and socket errors) are summed over every round."
)
echo "$table"
[[ -z "$out" ]] || printf '%s\n' "$table" > "$out"
