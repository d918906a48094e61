# Sourced by bin/synod and the bench scripts: the JVM settings a node runs with unless told otherwise.
# Keep in step with synod-dist's JvmDefaults (JvmDefaultsTest compares them); why these values: docs/benchmarks.md,
# "Cost against the store's size".
synod_heap_default=1g
synod_gc_opts=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20)
