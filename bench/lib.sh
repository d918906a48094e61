# Shared by the bench scripts: a 3-node cluster of `synod server` processes on 127.0.0.1, started and stopped by pid.
# The caller sets `root`, `base` (first port), `name` (cluster id, data dir prefix) and `server_args` (an array of extra
# flags) before sourcing; node i's peer port is base+i and its HTTP port base+10+i. The data dirs go under $TMPDIR
# (default /tmp).
"$root/bin/synod" --version >/dev/null 2>&1 || true # builds the jar if needed
# shellcheck source=../bin/lib/jdk.sh
. "$root/bin/lib/jdk.sh"; synod_find_jdk
jar="$root/synod-dist/target/synod.jar"
data=$(mktemp -d "${TMPDIR:-/tmp}/synod-$name.XXXXXX")
peers="0=127.0.0.1:$((base)),1=127.0.0.1:$((base + 1)),2=127.0.0.1:$((base + 2))"
declare -a pids
http() { echo "http://127.0.0.1:$((base + 10 + $1))"; }
start() { # node id
  "$JAVA_HOME/bin/java" -Xmx1g -jar "$jar" server --id "$1" --peers "$peers" --http "127.0.0.1:$((base + 10 + $1))" \
    --data-dir "$data/node-$1" --cluster-id "$name" "${server_args[@]}" > "$data/node-$1.log" 2>&1 &
  pids[$1]=$!
  disown "${pids[$1]}" # no job-control chatter when it is killed
}
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done; rm -rf "$data"; }
trap cleanup EXIT
