#!/usr/bin/env bash
# As Kafka's own kafka-metadata-quorum.sh: runs org.apache.kafka.tools.MetadataQuorumCommand.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.MetadataQuorumCommand "$@"
