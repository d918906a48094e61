#!/usr/bin/env bash
# What security costs: in one run, a plain 3-node cluster and a secure one (mutual TLS between peers, HTTPS for the
# API, the cluster secret and a bearer token, as `synod demo --secure` runs them), the same `synod bench` load at the
# master of each: writes (read ratio 0) and lease reads (read ratio 1, consistency linearizable) at 1 and 64
# connections, each after a warm-up. Prints one table (throughput, p50, p99, and what the secure cluster loses) and
# writes it to --out.
#
#   bench/tls.sh [--duration SECONDS] [--warmup SECONDS] [--out FILE] [--base-port P]
#
# Defaults: 10 s per case after a 12 s warm-up, ports 7700-7712. Needs curl. Binds 127.0.0.1 only; stops what it
# started, by pid.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
duration=10 warmup=12 out="" base=7700
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --base-port) base=$2; shift 2 ;;
    *) echo "tls.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v curl >/dev/null || { echo "tls.sh: needs curl (apt-get install -y curl)" >&2; exit 2; }
name=tls
server_args=(--election paxoslease)
. "$root/bench/lib.sh"
secrets="$data/secrets"

stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; done
  pids=()
  rm -rf "$data"/node-*
}

declare -A result
measure() { # mode: runs the four cases against the master of the running cluster
  local mode=$1 target url
  target=$(writer paxoslease)
  [[ $target -ge 0 ]] || { echo "tls.sh: no master in the $mode cluster" >&2; exit 1; }
  url=$(http "$target")
  local access=()
  if [[ $mode == secure ]]; then access=(--ca "$secrets/ca.crt" --token "$token"); fi
  for kind in write read; do
    local ratio=0
    [[ $kind == read ]] && ratio=1
    for clients in 1 64; do
      local threads=1
      [[ $clients -gt 1 ]] && threads=2
      echo "tls.sh: $mode $kind, $clients connection(s): ${warmup}s warm-up + ${duration}s" >&2
      local json
      json=$("$root/bin/synod" bench --endpoints "$url" --clients "$clients" --threads "$threads" \
        --duration "$duration" --warmup "$warmup" --read-ratio "$ratio" --consistency linearizable --keys 1000 \
        --json "${access[@]}" 2>/dev/null)
      local section
      section=$(grep -o "\"$kind\":{[^}]*}[^}]*}" <<<"$json")
      result[$mode,$kind,$clients,rps]=$(grep -o '"opsPerS":[0-9.]*' <<<"$section" | cut -d: -f2)
      result[$mode,$kind,$clients,p50]=$(grep -o '"p50":[0-9]*' <<<"$section" | cut -d: -f2)
      result[$mode,$kind,$clients,p99]=$(grep -o '"p99":[0-9]*' <<<"$section" | cut -d: -f2)
      result[$mode,$kind,$clients,errors]=$(grep -o '"errors":{"total":[0-9]*' <<<"$json" | grep -o '[0-9]*$')
    done
  done
}

# Plain.
for id in 0 1 2; do start "$id"; done
measure plain
stop_all

# Secure: certificates, a secret and a token, as the demo makes them.
"$root/bin/synod" certs "$secrets" --nodes 3 >/dev/null
head -c 32 /dev/urandom | base64 > "$secrets/cluster-secret"
token=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
echo "$token admin" > "$secrets/tokens"
chmod 600 "$secrets/cluster-secret" "$secrets/tokens"
server_args=(--election paxoslease --cluster-secret-file "$secrets/cluster-secret" --auth-tokens-file "$secrets/tokens")
node_flags() {
  printf '%s\n' --tls-cert "$secrets/node-$(($1 + 1)).crt" --tls-key "$secrets/node-$(($1 + 1)).key" \
    --tls-ca "$secrets/ca.crt"
}
scheme=https
curl_args=(--cacert "$secrets/ca.crt" -H "Authorization: Bearer $token")
for id in 0 1 2; do start "$id"; done
measure secure
stop_all

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
{
  echo "bench/tls.sh, $(date -u +%Y-%m-%d) on $(nproc) cores, commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); ${warmup} s warm-up, ${duration} s per case"
  echo
  echo "| workload | connections | plain ops/s | plain p50 / p99 ms | secure ops/s | secure p50 / p99 ms | throughput lost |"
  echo "|---|---|---|---|---|---|---|"
  for kind in write read; do
    for clients in 1 64; do
      p=${result[plain,$kind,$clients,rps]:-0} s=${result[secure,$kind,$clients,rps]:-0}
      lost=$(awk -v p="$p" -v s="$s" 'BEGIN { if (p > 0) printf "%.1f %%", (p - s) * 100 / p; else print "n/a" }')
      label=$([[ $kind == write ]] && echo "PUT" || echo "GET linearizable (lease)")
      printf '| %s | %s | %.0f | %s / %s | %.0f | %s / %s | %s |\n' "$label" "$clients" "$p" \
        "$(ms "${result[plain,$kind,$clients,p50]:-0}")" "$(ms "${result[plain,$kind,$clients,p99]:-0}")" "$s" \
        "$(ms "${result[secure,$kind,$clients,p50]:-0}")" "$(ms "${result[secure,$kind,$clients,p99]:-0}")" "$lost"
    done
  done
  echo
  echo "errors: plain $(for k in write read; do for c in 1 64; do printf '%s ' "${result[plain,$k,$c,errors]:-?}"; done; done)| secure $(for k in write read; do for c in 1 64; do printf '%s ' "${result[secure,$k,$c,errors]:-?}"; done; done)"
} | tee "${out:-/dev/null}"
