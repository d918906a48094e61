# Sourced by bin/synod and the bench scripts: the JVM settings a node runs with unless told otherwise.
# Keep in step with synod-dist's JvmDefaults (JvmDefaultsTest compares them); why these values: docs/benchmarks.md,
# "Cost against the store's size". Generational ZGC is the ZGC of JDK 23 on; JDK 21 and 22 ask for it with
# -XX:+ZGenerational, which JDK 24 on no longer knows (it warns and ignores it), so it is added below 23 only.
synod_heap_default=1g
synod_gc_opts=(-XX:+UseZGC)
synod_gc_opts_before_23=(-XX:+ZGenerational)
