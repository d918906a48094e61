# Shared by the bench scripts: a 3-node cluster of `synod server` processes on 127.0.0.1, started and stopped by pid.
# The caller sets `root`, `base` (first port), `name` (cluster id, data dir prefix) and `server_args` (an array of extra
# flags) before sourcing; node i's peer port is base+i and its HTTP port base+10+i. The data dirs go under $TMPDIR
# (default /tmp). Optional: `scheme` (default http), `curl_args` (an array, e.g. --cacert and an Authorization header,
# used by `writer`), and a function `node_flags ID` that prints more flags for node ID, one per line.
scheme=${scheme:-http}
if ! declare -p curl_args >/dev/null 2>&1; then curl_args=(); fi
"$root/bin/synod" --version >/dev/null 2>&1 || true # builds the jar if needed
# shellcheck source=../bin/lib/jdk.sh
. "$root/bin/lib/jdk.sh"; synod_find_jdk
jar="$root/synod-dist/target/synod.jar"
data=$(mktemp -d "${TMPDIR:-/tmp}/synod-$name.XXXXXX")
peers="0=127.0.0.1:$((base)),1=127.0.0.1:$((base + 1)),2=127.0.0.1:$((base + 2))"
declare -a pids
http() { echo "$scheme://127.0.0.1:$((base + 10 + $1))"; }
start() { # node id
  local more=()
  if declare -F node_flags >/dev/null; then mapfile -t more < <(node_flags "$1"); fi
  # Through bin/synod, so a bench node gets the JVM settings a user gets (bin/lib/jvm.sh); --heap in server_args.
  "$root/bin/synod" server --id "$1" --peers "$peers" --http "127.0.0.1:$((base + 10 + $1))" \
    --data-dir "$data/node-$1" --cluster-id "$name" "${server_args[@]}" "${more[@]}" > "$data/node-$1.log" 2>&1 &
  pids[$1]=$!
  disown "${pids[$1]}" # no job-control chatter when it is killed
}
writer() { # election: prints the id of a node that serves writes (the master, if the election has one), or -1
  for _ in $(seq 300); do
    for id in 0 1 2; do
      if curl -s -m 0.5 "${curl_args[@]}" -X PUT --data-binary warm "$(http "$id")/v1/kv/warm" -D - -o /dev/null 2>/dev/null \
          | grep -q '^HTTP/1.1 200'; then
        if [[ "$1" == none ]] || curl -s -m 0.5 "${curl_args[@]}" "$(http "$id")/v1/status" | grep -q '"role":"master"'; then
          echo "$id"; return
        fi
      fi
    done
    sleep 0.1
  done
  echo -1
}
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT
