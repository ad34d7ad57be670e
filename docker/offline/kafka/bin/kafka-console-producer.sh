#!/usr/bin/env bash
# As Kafka's own kafka-console-producer.sh: runs kafka.tools.ConsoleProducer.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.ConsoleProducer "$@"
