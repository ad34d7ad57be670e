#!/usr/bin/env bash
# As Kafka's own kafka-broker-api-versions.sh: runs kafka.admin.BrokerApiVersionsCommand.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.BrokerApiVersionsCommand "$@"
