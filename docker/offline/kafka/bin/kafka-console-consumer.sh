#!/usr/bin/env bash
# As Kafka's own kafka-console-consumer.sh: runs org.apache.kafka.tools.consumer.ConsoleConsumer.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
