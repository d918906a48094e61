#!/usr/bin/env bash
# What security costs: a plain 3-node cluster and a secure one (mutual TLS between peers, HTTPS for the API, the
# cluster secret and a bearer token, as `synod demo --secure` runs them), both up at once, and the same `synod bench`
# load at the master of each, back to back: writes (read ratio 0) and lease reads (read ratio 1, consistency
# linearizable) at 1 and 64 connections, each after a warm-up. Every case runs on both clusters in each round, plain
# first in odd rounds and secure first in even ones, so a machine that gets slower or faster over minutes moves both
# sides alike. Prints one table (the median of the rounds: throughput, p50, p99, and what the secure cluster loses,
# with the range over rounds) and writes it to --out.
#
#   bench/tls.sh [--rounds R] [--duration SECONDS] [--warmup SECONDS] [--out FILE] [--base-port P]
#
# Defaults: 3 rounds, 10 s per case after a 12 s warm-up (about 9 minutes), ports P..P+32 from 7700. Needs curl.
# Binds 127.0.0.1 only; stops what it started, by pid.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=3 duration=10 warmup=12 out="" base=7700
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    *) echo "tls.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "tls.sh: --rounds takes a positive whole number, not '$rounds'" >&2; exit 2; }
command -v curl >/dev/null || { echo "tls.sh: needs curl (apt-get install -y curl)" >&2; exit 2; }
name=tls
server_args=(--election paxoslease)
. "$root/bench/lib.sh"
top=$data
secrets="$top/secrets"
all_pids=()
stop_everything() {
  for pid in "${all_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${all_pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  data=$top # lib.sh's cleanup removes everything under it
}
trap 'stop_everything; cleanup' EXIT

# The plain cluster: ports base..base+12.
data="$top/plain"; mkdir -p "$data"
for id in 0 1 2; do start "$id"; done
all_pids+=("${pids[@]}")
plain_master=$(writer paxoslease)
[[ $plain_master -ge 0 ]] || { echo "tls.sh: no master in the plain cluster" >&2; exit 1; }
plain_url=$(http "$plain_master")

# The secure cluster: ports base+20..base+32; certificates, a secret and a token, as the demo makes them.
"$root/bin/synod" certs "$secrets" --nodes 3 >/dev/null
head -c 32 /dev/urandom | base64 > "$secrets/cluster-secret"
token=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
echo "$token admin" > "$secrets/tokens"
chmod 600 "$secrets/cluster-secret" "$secrets/tokens"
base=$((base + 20))
peers="0=127.0.0.1:$((base)),1=127.0.0.1:$((base + 1)),2=127.0.0.1:$((base + 2))"
server_args=(--election paxoslease --cluster-secret-file "$secrets/cluster-secret" --auth-tokens-file "$secrets/tokens")
node_flags() {
  printf '%s\n' --tls-cert "$secrets/node-$(($1 + 1)).crt" --tls-key "$secrets/node-$(($1 + 1)).key" \
    --tls-ca "$secrets/ca.crt"
}
scheme=https
curl_args=(--cacert "$secrets/ca.crt" -H "Authorization: Bearer $token")
data="$top/secure"; mkdir -p "$data"
for id in 0 1 2; do start "$id"; done
all_pids+=("${pids[@]}")
secure_master=$(writer paxoslease)
[[ $secure_master -ge 0 ]] || { echo "tls.sh: no master in the secure cluster" >&2; exit 1; }
secure_url=$(http "$secure_master")

declare -A result # mode,kind,clients,field -> one value per round, space separated
run_case() { # mode kind clients
  local mode=$1 kind=$2 clients=$3 url=$plain_url access=() ratio=0 threads=1
  if [[ $mode == secure ]]; then url=$secure_url; access=(--ca "$secrets/ca.crt" --token "$token"); fi
  [[ $kind == read ]] && ratio=1
  [[ $clients -gt 1 ]] && threads=2
  echo "tls.sh: round $round: $mode $kind, $clients connection(s): ${warmup}s warm-up + ${duration}s" >&2
  local json section
  json=$("$root/bin/synod" bench --endpoints "$url" --clients "$clients" --threads "$threads" \
    --duration "$duration" --warmup "$warmup" --read-ratio "$ratio" --consistency linearizable --keys 1000 \
    --json "${access[@]}" 2>/dev/null)
  section=$(grep -o "\"$kind\":{[^}]*}[^}]*}" <<<"$json")
  local key="$mode,$kind,$clients"
  result[$key,rps]+="$(grep -o '"opsPerS":[0-9.]*' <<<"$section" | cut -d: -f2) "
  result[$key,p50]+="$(grep -o '"p50":[0-9]*' <<<"$section" | cut -d: -f2) "
  result[$key,p99]+="$(grep -o '"p99":[0-9]*' <<<"$section" | cut -d: -f2) "
  result[$key,errors]+="$(grep -o '"errors":{"total":[0-9]*' <<<"$json" | grep -o '[0-9]*$') "
}

for round in $(seq "$rounds"); do
  for kind in write read; do
    for clients in 1 64; do
      if (( round % 2 == 1 )); then run_case plain $kind $clients; run_case secure $kind $clients
      else run_case secure $kind $clients; run_case plain $kind $clients; fi
    done
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
losses() { # plain list, secure list: the loss in each round, then the range
  paste -d' ' <(tr ' ' '\n' <<<"$1" | grep -v '^$') <(tr ' ' '\n' <<<"$2" | grep -v '^$') \
    | awk '$1 > 0 { l = ($1 - $2) * 100 / $1; if (n == 0 || l < lo) lo = l; if (n == 0 || l > hi) hi = l; n++ }
           END { if (n) printf "%.1f to %.1f %%", lo, hi; else print "n/a" }'
}
{
  echo "bench/tls.sh, $(date -u +%Y-%m-%d) on $(nproc) cores, commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $rounds round(s), ${warmup} s warm-up, ${duration} s per case; medians of the rounds"
  echo
  echo "| workload | connections | plain ops/s | plain p50 / p99 ms | secure ops/s | secure p50 / p99 ms | throughput lost (median) | lost, range over rounds |"
  echo "|---|---|---|---|---|---|---|---|"
  for kind in write read; do
    for clients in 1 64; do
      p=$(median <<<"${result[plain,$kind,$clients,rps]}") s=$(median <<<"${result[secure,$kind,$clients,rps]}")
      lost=$(awk -v p="$p" -v s="$s" 'BEGIN { if (p > 0) printf "%.1f %%", (p - s) * 100 / p; else print "n/a" }')
      label=$([[ $kind == write ]] && echo "PUT" || echo "GET linearizable (lease)")
      printf '| %s | %s | %.0f | %s / %s | %.0f | %s / %s | %s | %s |\n' "$label" "$clients" "$p" \
        "$(ms "$(median <<<"${result[plain,$kind,$clients,p50]}")")" "$(ms "$(median <<<"${result[plain,$kind,$clients,p99]}")")" "$s" \
        "$(ms "$(median <<<"${result[secure,$kind,$clients,p50]}")")" "$(ms "$(median <<<"${result[secure,$kind,$clients,p99]}")")" "$lost" \
        "$(losses "${result[plain,$kind,$clients,rps]}" "${result[secure,$kind,$clients,rps]}")"
    done
  done
  echo
  printf 'errors, per case and round: plain'
  for k in write read; do for c in 1 64; do printf ' %s' "${result[plain,$k,$c,errors]}"; done; done
  printf '| secure'
  for k in write read; do for c in 1 64; do printf ' %s' "${result[secure,$k,$c,errors]}"; done; done
  echo
} | tee "${out:-/dev/null}"
