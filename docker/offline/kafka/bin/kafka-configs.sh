#!/usr/bin/env bash
# As Kafka's own kafka-configs.sh: runs kafka.admin.ConfigCommand.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
