# Sourced by bin/synod and bin/test. Finds a JDK >= 21 (DESIGN.md §1) and exports JAVA_HOME and JAVA.
# Order: $JAVA_HOME if >= 21, else `java` on the PATH if >= 21, else the newest JDK under /usr/lib/jvm.
# If none is found it prints one line to stderr and exits 2.

synod_java_major() {
  # Prints the major version of the java binary $1 (e.g. 17, 21, 25), or nothing if it does not run.
  "$1" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ { v = $2; sub(/^1\./, "", v); print v; exit }'
}

synod_find_jdk() {
  local want=21 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(synod_java_major "$JAVA_HOME/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$want" ]; then
      export JAVA="$JAVA_HOME/bin/java"; return 0
    fi
  fi
  if command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1; then
    candidate=$(readlink -f "$(command -v java)")
    major=$(synod_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$want" ]; then
      export JAVA_HOME; JAVA_HOME=$(dirname "$(dirname "$candidate")")
      export JAVA="$JAVA_HOME/bin/java"; return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] && [ -x "$(dirname "$candidate")/javac" ] || continue
    major=$(synod_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$want" ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    export JAVA_HOME; JAVA_HOME=$(dirname "$(dirname "$best")")
    export JAVA="$best"; return 0
  fi
  echo "synod: no JDK >= $want found (checked \$JAVA_HOME, java on the PATH and /usr/lib/jvm); install one or set JAVA_HOME" >&2
  exit 2
}
