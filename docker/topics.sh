#!/usr/bin/env bash
# streamline — provisions the Kafka topics (idempotent).
#
# Runs as the one-shot `topics` service of docker-compose.yml, in the apache/kafka image
# (which has bash and /opt/kafka/bin/kafka-topics.sh), against the broker's internal listener:
#
#   docker compose run --rm topics                 # again by hand, e.g. after adding a topic
#
# It also works against any other broker where kafka-topics.sh is on hand, e.g. the local
# infra/ broker:  KAFKA_TOPICS_BIN=... BOOTSTRAP_SERVER=localhost:9092 bash docker/topics.sh
#
# Environment (all optional):
#   BOOTSTRAP_SERVER=kafka:9092   KAFKA_TOPICS_BIN=/opt/kafka/bin/kafka-topics.sh
#   TOPIC_REPLICATION_FACTOR=1    (min.insync.replicas becomes min(2, replication factor))
#
# Only missing topics are created (one `--list` first, then `--create --if-not-exists` per
# missing topic), so a re-run costs two JVM starts. Existing topics are never altered. The run
# fails if a topic is still missing at the end, or exists with another partition count than
# below: adding partitions to a keyed topic moves keys between partitions (ordering, the
# aggregator's co-partitioned changelog), so that is a decision for a human, not for this script.
set -euo pipefail

BOOTSTRAP_SERVER="${BOOTSTRAP_SERVER:-kafka:9092}"
KAFKA_TOPICS_BIN="${KAFKA_TOPICS_BIN:-/opt/kafka/bin/kafka-topics.sh}"
TOPIC_REPLICATION_FACTOR="${TOPIC_REPLICATION_FACTOR:-1}"
# The CLI JVM does not need the broker's heap.
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx256m}"

[[ "$TOPIC_REPLICATION_FACTOR" =~ ^[1-9][0-9]*$ ]] \
  || { echo "topics: TOPIC_REPLICATION_FACTOR must be a positive integer" >&2; exit 1; }
MIN_INSYNC_REPLICAS=$((TOPIC_REPLICATION_FACTOR < 2 ? TOPIC_REPLICATION_FACTOR : 2))

# --- The topics --------------------------------------------------------------------------------
# The same list as TOPIC_SETTINGS in libs/contracts/src/topics/topics.ts (the source of truth for
# topic settings): the topics of ARCHITECTURE.md plus <topic>.retry and <topic>.dlq for every
# consumed topic. libs/testing's compose spec fails when the two differ; it prints the expected
# table. min.insync.replicas is added from TOPIC_REPLICATION_FACTOR.
# Retention: 604800000 ms = 7 days, 2592000000 ms = 30 days; delete.retention.ms 86400000 = 1 day.
TOPIC_TABLE='
# name                               partitions  topic configs (comma-separated)
iot.telemetry.v1                              6  cleanup.policy=delete,retention.ms=604800000
events.user-activity.v1                       6  cleanup.policy=delete,retention.ms=604800000
cdc.registry.public.devices                   1  cleanup.policy=compact,min.compaction.lag.ms=3600000,delete.retention.ms=86400000
agg.telemetry.1m.v1                           6  cleanup.policy=delete,retention.ms=2592000000
agg.user-sessions.v1                          6  cleanup.policy=delete,retention.ms=2592000000
iot.telemetry.late.v1                         3  cleanup.policy=delete,retention.ms=604800000
aggregator.state.changelog                    6  cleanup.policy=compact,min.compaction.lag.ms=60000,delete.retention.ms=86400000
iot.telemetry.v1.retry                        6  cleanup.policy=delete,retention.ms=604800000
iot.telemetry.v1.dlq                          1  cleanup.policy=delete,retention.ms=2592000000
events.user-activity.v1.retry                 6  cleanup.policy=delete,retention.ms=604800000
events.user-activity.v1.dlq                   1  cleanup.policy=delete,retention.ms=2592000000
cdc.registry.public.devices.retry             1  cleanup.policy=delete,retention.ms=604800000
cdc.registry.public.devices.dlq               1  cleanup.policy=delete,retention.ms=2592000000
agg.telemetry.1m.v1.retry                     6  cleanup.policy=delete,retention.ms=604800000
agg.telemetry.1m.v1.dlq                       1  cleanup.policy=delete,retention.ms=2592000000
agg.user-sessions.v1.retry                    6  cleanup.policy=delete,retention.ms=604800000
agg.user-sessions.v1.dlq                      1  cleanup.policy=delete,retention.ms=2592000000
'
# ----------------------------------------------------------------------------------------------

log() { printf 'topics: %s\n' "$*"; }

names=()
declare -A partitions_of=() configs_of=()
while read -r name partitions configs; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  names+=("$name")
  partitions_of["$name"]="$partitions"
  configs_of["$name"]="$configs"
done <<<"$TOPIC_TABLE"

kafka_topics() { "$KAFKA_TOPICS_BIN" --bootstrap-server "$BOOTSTRAP_SERVER" "$@"; }

# The broker is healthy before this runs (depends_on: service_healthy), but retry the first
# request anyway: a freshly formatted KRaft node can take a moment to accept admin requests.
existing=""
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  if existing="$(kafka_topics --list)"; then break; fi
  [[ "$attempt" == 10 ]] && { log "broker $BOOTSTRAP_SERVER does not answer"; exit 1; }
  log "broker $BOOTSTRAP_SERVER not ready (attempt $attempt), retrying in 3s"
  sleep 3
done

created=0
for name in "${names[@]}"; do
  if grep -qxF -- "$name" <<<"$existing"; then continue; fi
  config_args=()
  IFS=, read -ra entries <<<"${configs_of[$name]},min.insync.replicas=$MIN_INSYNC_REPLICAS"
  for entry in "${entries[@]}"; do config_args+=(--config "$entry"); done
  log "creating $name (partitions=${partitions_of[$name]}, replication=$TOPIC_REPLICATION_FACTOR)"
  kafka_topics --create --if-not-exists --topic "$name" \
    --partitions "${partitions_of[$name]}" --replication-factor "$TOPIC_REPLICATION_FACTOR" \
    "${config_args[@]}"
  created=$((created + 1))
done

# Verify: every topic exists, with the partition count of the table.
# Summary lines of --describe look like: "Topic: <name>\tTopicId: ...\tPartitionCount: <n>\t..."
described="$(kafka_topics --describe)"
problems=0
for name in "${names[@]}"; do
  count="$(awk -v t="$name" -F'\t' '
    $1 == "Topic: " t { for (i = 1; i <= NF; i++) if ($i ~ /^PartitionCount: /) { sub(/^PartitionCount: /, "", $i); print $i } }
  ' <<<"$described")"
  if [[ -z "$count" ]]; then
    log "missing after provisioning: $name"
    problems=$((problems + 1))
  elif [[ "$count" != "${partitions_of[$name]}" ]]; then
    log "$name has $count partitions, expected ${partitions_of[$name]} (not changed automatically; see the header of docker/topics.sh)"
    problems=$((problems + 1))
  fi
done
((problems == 0)) || exit 1
log "ok: ${#names[@]} topics present ($created created)"
