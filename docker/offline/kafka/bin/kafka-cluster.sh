#!/usr/bin/env bash
# As Kafka's own kafka-cluster.sh: runs org.apache.kafka.tools.ClusterTool.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.ClusterTool "$@"
