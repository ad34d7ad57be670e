#!/usr/bin/env bash
# The stand-in's entrypoint, with the configuration interface of Debezium's Connect image:
#   start                          run a distributed worker (the default command)
#   BOOTSTRAP_SERVERS (required)   GROUP_ID (default 1)
#   CONFIG_STORAGE_TOPIC, OFFSET_STORAGE_TOPIC, STATUS_STORAGE_TOPIC (required)
#   KEY_CONVERTER, VALUE_CONVERTER (default org.apache.kafka.connect.json.JsonConverter)
#   REST_PORT (8083), REST_HOST_NAME, ADVERTISED_HOST_NAME, ADVERTISED_PORT, HEAP_OPTS
#   CONNECT_<NAME>                 worker property <name> (lower case, "_" -> ".")
# Any other command runs as given.
set -euo pipefail
CONFIG=/kafka/config/connect-distributed.properties

if [[ "${1:-start}" != start ]]; then exec "$@"; fi

for required in BOOTSTRAP_SERVERS CONFIG_STORAGE_TOPIC OFFSET_STORAGE_TOPIC STATUS_STORAGE_TOPIC; do
  [[ -n "${!required:-}" ]] || { echo "connect: $required is required" >&2; exit 1; }
done

put() { printf '%s=%s\n' "$1" "$2" >>"$CONFIG"; }
: >"$CONFIG"
put bootstrap.servers "$BOOTSTRAP_SERVERS"
put group.id "${GROUP_ID:-1}"
put config.storage.topic "$CONFIG_STORAGE_TOPIC"
put offset.storage.topic "$OFFSET_STORAGE_TOPIC"
put status.storage.topic "$STATUS_STORAGE_TOPIC"
put key.converter "${KEY_CONVERTER:-org.apache.kafka.connect.json.JsonConverter}"
put value.converter "${VALUE_CONVERTER:-org.apache.kafka.connect.json.JsonConverter}"
put listeners "http://${REST_HOST_NAME:-0.0.0.0}:${REST_PORT:-8083}"
put rest.advertised.host.name "${ADVERTISED_HOST_NAME:-$(hostname -i | cut -d' ' -f1)}"
put rest.advertised.port "${ADVERTISED_PORT:-${REST_PORT:-8083}}"
put plugin.path /kafka/connect
while IFS='=' read -r name value; do
  [[ "$name" == CONNECT_* ]] || continue
  key="${name#CONNECT_}"
  key="${key,,}"
  key="${key//_/.}"
  # A CONNECT_ variable overrides the line written above.
  sed -i "/^${key//./\\.}=/d" "$CONFIG"
  put "$key" "$value"
done < <(env)

echo "===> Worker configuration ($CONFIG)"
sort "$CONFIG"
# shellcheck disable=SC2086 # HEAP_OPTS is a list of JVM flags
exec java ${HEAP_OPTS:--Xms256M -Xmx1G} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  -Dlog4j2.configurationFile=/kafka/config/log4j2.properties \
  -cp '/kafka/libs/*' org.apache.kafka.connect.cli.ConnectDistributed "$CONFIG"
