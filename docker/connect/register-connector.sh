#!/usr/bin/env bash
# streamline — registers the Debezium connector with a Kafka Connect worker and waits until the
# connector and its task run (the `connector` one-shot of docker-compose.yml; any host with curl
# can run it against a worker: CONNECT_URL=http://127.0.0.1:8083 bash docker/connect/register-connector.sh).
#
# PUT /connectors/<name>/config creates or updates, so a re-run is harmless. The config file
# is the flat connector config; "${env:POSTGRES_PASSWORD}" in it is resolved by the worker's
# EnvVarConfigProvider (see the `connect` service), so no password is stored in Kafka.
#
# Environment: CONNECT_URL (http://connect:8083), CONNECTOR_NAME (streamline-registry-devices),
# CONNECTOR_CONFIG (registry-devices.json beside this script), CONNECTOR_TIMEOUT (120 s).
set -euo pipefail

CONNECT_URL="${CONNECT_URL:-http://connect:8083}"
NAME="${CONNECTOR_NAME:-streamline-registry-devices}"
CONFIG="${CONNECTOR_CONFIG:-$(dirname "$0")/registry-devices.json}"
TIMEOUT="${CONNECTOR_TIMEOUT:-120}"

log() { printf 'connector: %s\n' "$*"; }

[[ -r "$CONFIG" ]] || { log "cannot read $CONFIG" >&2; exit 1; }
code="$(curl -sS -o /tmp/put-response -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
  --data-binary "@$CONFIG" "$CONNECT_URL/connectors/$NAME/config")"
if [[ "$code" != 200 && "$code" != 201 ]]; then
  log "PUT $CONNECT_URL/connectors/$NAME/config answered $code: $(cat /tmp/put-response)" >&2
  exit 1
fi
log "registered $NAME (HTTP $code)"

status=''
for ((waited = 0; waited < TIMEOUT; waited += 2)); do
  # A failed poll (worker busy rebalancing) is reported and polled again.
  status="$(curl -sS "$CONNECT_URL/connectors/$NAME/status" 2>&1)" || status="unreachable: $status"
  # One connector state and one task state, both RUNNING; FAILED stops the wait at once.
  if [[ "$status" == *'"state":"FAILED"'* ]]; then
    log "failed: $status" >&2
    exit 1
  fi
  # Count the RUNNING states (connector + task) without grep: no match must not end the script.
  running=0 rest="$status"
  while [[ "$rest" == *'"state":"RUNNING"'* ]]; do
    running=$((running + 1))
    rest="${rest#*\"state\":\"RUNNING\"}"
  done
  if ((running >= 2)); then
    log "running: $status"
    exit 0
  fi
  sleep 2
done
log "not running after ${TIMEOUT}s: $status" >&2
exit 1
