#!/usr/bin/env bash
# kafka-run-class.sh <main class> [args...]: the one launcher of the stand-in's scripts, honouring
# the variables of Kafka's own script: KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS, KAFKA_OPTS,
# KAFKA_LOG4J_OPTS, CLASSPATH (extra entries before Kafka's).
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 <main class> [args...]" >&2; exit 2; }
base_dir=/opt/kafka
classpath="$base_dir/libs/*"
[[ -n "${CLASSPATH:-}" ]] && classpath="$CLASSPATH:$classpath"
heap="${KAFKA_HEAP_OPTS:--Xmx256M}"
perf="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
log4j="${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$base_dir/config/tools-log4j.properties}"
# shellcheck disable=SC2086 # the *_OPTS variables are lists of JVM flags
exec java $heap $perf $log4j ${KAFKA_OPTS:-} -cp "$classpath" "$@"
