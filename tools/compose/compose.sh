#!/usr/bin/env bash
# streamline — the suite under Docker Compose on any machine with a Docker engine.
#
#   bash tools/compose/compose.sh up [--simulator]   images (pulled, or stand-ins built when no
#                                                    registry answers), build, start, wait healthy
#   bash tools/compose/compose.sh down [-v]          stop and remove the containers (-v: volumes)
#   bash tools/compose/compose.sh env                the variables `up` passes to Compose
#   bash tools/compose/compose.sh wait               wait until every container is healthy
#   bash tools/compose/compose.sh compose ARGS...    run docker-compose with those variables
#                                                    (e.g. `compose ps`, `compose logs kafka`)
#   bash tools/compose/compose.sh run CMD ARGS...    run CMD with the port variables set
#
# Environment:
#   STREAMLINE_PORT_OFFSET=0       every published port is its usual number plus this
#   COMPOSE_PROJECT_NAME=streamline
#   STREAMLINE_OFFLINE_IMAGES=auto auto: use an official image when present or pullable, else
#                                  build its stand-in (docker/offline/build.sh); always | never
#   STREAMLINE_PULL_TIMEOUT=120    seconds for one `docker pull` attempt
#   STREAMLINE_HEALTH_TIMEOUT=420  seconds `up` waits for every container to be healthy
#   KAFKA_IMAGE, CONNECT_IMAGE, POSTGRES_IMAGE, MOSQUITTO_IMAGE, NATS_IMAGE, NODE_IMAGE: set one to
#                                  use that image as it is; POSTGRES_PASSWORD (default streamline)
# The Compose command is `docker-compose` (1.29) when installed, else `docker compose` (v2);
# COMPOSE_CMD overrides it.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"

log() { printf 'compose: %s\n' "$*" >&2; }
die() { printf 'compose: error: %s\n' "$*" >&2; exit 1; }

export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-streamline}"
OFFSET="${STREAMLINE_PORT_OFFSET:-0}"
[[ "$OFFSET" =~ ^[0-9]+$ ]] && ((OFFSET <= 56000)) \
  || die "STREAMLINE_PORT_OFFSET must be a number from 0 to 56000 (got '$OFFSET')"
OFFLINE="${STREAMLINE_OFFLINE_IMAGES:-auto}"
[[ "$OFFLINE" =~ ^(auto|always|never)$ ]] || die "STREAMLINE_OFFLINE_IMAGES must be auto, always or never"
PULL_TIMEOUT="${STREAMLINE_PULL_TIMEOUT:-120}"
HEALTH_TIMEOUT="${STREAMLINE_HEALTH_TIMEOUT:-420}"

# The official images: the defaults of docker-compose.yml (and the Dockerfile for NODE_IMAGE).
declare -A OFFICIAL=(
  [KAFKA_IMAGE]="apache/kafka:$(tr -d '[:space:]' <infra/kafka/VERSION)"
  [CONNECT_IMAGE]=quay.io/debezium/connect:3.6.1.Final
  [POSTGRES_IMAGE]=postgres:15
  [MOSQUITTO_IMAGE]=eclipse-mosquitto:2
  [NATS_IMAGE]=nats:2-alpine
  [NODE_IMAGE]=node:20-bookworm-slim
)
IMAGE_VARS=(KAFKA_IMAGE CONNECT_IMAGE POSTGRES_IMAGE MOSQUITTO_IMAGE NATS_IMAGE NODE_IMAGE)

# Host port variables of docker-compose.yml and their usual numbers.
declare -A PORTS=(
  [KAFKA_HOST_PORT]=9092 [POSTGRES_HOST_PORT]=5432 [MQTT_HOST_PORT]=1883 [NATS_HOST_PORT]=4222
  [NATS_MONITOR_HOST_PORT]=8222 [CONNECT_HOST_PORT]=8083 [IOT_INGESTOR_HOST_PORT]=3001
  [EVENT_PRODUCER_HOST_PORT]=3002 [AGGREGATOR_HOST_PORT]=3003 [DLQ_HANDLER_HOST_PORT]=3004
  [CDC_SINK_HOST_PORT]=3005
)

compose_cmd() {
  if [[ -n "${COMPOSE_CMD:-}" ]]; then
    # shellcheck disable=SC2086 # COMPOSE_CMD is a command line, e.g. "docker compose"
    $COMPOSE_CMD "$@"
  elif command -v docker-compose >/dev/null 2>&1; then
    docker-compose "$@"
  else
    docker compose "$@"
  fi
}

export_ports() {
  local var
  for var in "${!PORTS[@]}"; do export "$var=$((PORTS[$var] + OFFSET))"; done
  export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-streamline}"
  # Compose 1.29 builds with the classic builder through its own client: the Dockerfile needs
  # nothing more, and no BuildKit frontend image is pulled.
  export COMPOSE_DOCKER_CLI_BUILD="${COMPOSE_DOCKER_CLI_BUILD:-0}" DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}"
}

# Sets every *_IMAGE variable: the caller's value, else the official image when it is here or can
# be pulled, else a stand-in from docker/offline/build.sh (built once, then cached).
resolve_images() {
  local var missing=() line
  for var in "${IMAGE_VARS[@]}"; do
    if [[ -n "${!var:-}" ]]; then
      continue
    elif [[ "$OFFLINE" != always ]] && docker image inspect "${OFFICIAL[$var]}" >/dev/null 2>&1; then
      export "$var=${OFFICIAL[$var]}"
    elif [[ "$OFFLINE" == auto ]] && timeout "$PULL_TIMEOUT" docker pull -q "${OFFICIAL[$var]}" >/dev/null 2>&1; then
      log "pulled ${OFFICIAL[$var]}"
      export "$var=${OFFICIAL[$var]}"
    elif [[ "$OFFLINE" == never ]]; then
      die "cannot pull ${OFFICIAL[$var]} (STREAMLINE_OFFLINE_IMAGES=never)"
    else
      missing+=("$var")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  log "no registry for ${missing[*]}: using stand-ins from docker/offline/"
  while IFS= read -r line; do
    [[ "$line" == *_IMAGE=* ]] && export "${line?}"
  done < <(bash docker/offline/build.sh "${missing[@]}")
  for var in "${missing[@]}"; do [[ -n "${!var:-}" ]] || die "docker/offline/build.sh gave no $var"; done
}

print_env() {
  local var
  for var in COMPOSE_PROJECT_NAME "${IMAGE_VARS[@]}" "${!PORTS[@]}"; do
    printf '%s=%s\n' "$var" "${!var:-}"
  done | sort
}

# Container states of the project: "<service> <state> <health> <exit code>" per line.
container_states() {
  local ids
  ids="$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")"
  [[ -n "$ids" ]] || return 0
  # shellcheck disable=SC2086 # one id per word
  docker inspect --format \
    '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}}' $ids
}

ONE_SHOT='^(topics|connector)$'

# Waits until every service of the file (without profiles) runs healthy and every one-shot job
# exited 0. Fails at once on a one-shot that failed or a container that is unhealthy for good.
cmd_wait() {
  local services started=$SECONDS service state health code line pending
  # `config --services` lists profile services too: the simulator counts only when started.
  services="$(compose_cmd config --services | grep -vx "${WAIT_SKIP:-simulator}" || true)"
  while :; do
    pending=()
    local states
    states="$(container_states)"
    for service in $services; do
      line="$(grep "^$service " <<<"$states" | head -n 1 || true)"
      if [[ -z "$line" ]]; then pending+=("$service:absent"); continue; fi
      read -r _ state health code <<<"$line"
      if [[ "$service" =~ $ONE_SHOT ]]; then
        if [[ "$state" == exited && "$code" != 0 ]]; then
          compose_cmd logs --no-color --tail 40 "$service" >&2 || true
          die "one-shot $service exited $code"
        fi
        [[ "$state" == exited ]] || pending+=("$service:$state")
      elif [[ "$state" != running || "$health" != healthy ]]; then
        # Running too: a container in a restart loop may still show its last health status.
        pending+=("$service:$state/$health")
      fi
    done
    ((${#pending[@]} == 0)) && break
    if ((SECONDS - started >= HEALTH_TIMEOUT)); then
      compose_cmd ps >&2 || true
      die "not healthy after ${HEALTH_TIMEOUT}s: ${pending[*]}"
    fi
    sleep 3
  done
  log "all healthy after $((SECONDS - started))s"
}

cmd_up() {
  local profile=()
  [[ "${1:-}" == --simulator ]] && profile=(--profile simulator) && export WAIT_SKIP='^$'

  docker info >/dev/null 2>&1 || die "no Docker engine answers (as root: bash tools/compose/docker-engine.sh ensure)"
  export_ports
  local t0=$SECONDS
  resolve_images
  log "images ready in $((SECONDS - t0))s"
  t0=$SECONDS
  # Compose 1.29 lists the build context, then reads each file: a file that another process adds
  # or removes meanwhile (an editor's or a test's temporary file in a shared work tree) fails the
  # build with FileNotFoundError. Built layers stay cached, so it is asked again (bounded).
  local attempt
  for attempt in 1 2 3; do
    compose_cmd "${profile[@]}" build && break
    ((attempt < 3)) || die "compose build failed $attempt times"
    log "compose build failed (attempt $attempt): again in 5s"
    sleep 5
  done
  log "services built in $((SECONDS - t0))s"
  t0=$SECONDS
  # Compose 1.29 gives up on a dependent as soon as a dependency reports unhealthy, which a busy
  # machine causes during start-up; `up` is idempotent, so it is asked again (bounded).
  for attempt in 1 2 3 4 5; do
    compose_cmd "${profile[@]}" up -d && break
    ((attempt < 5)) || die "compose up failed $attempt times"
    log "compose up did not finish (attempt $attempt): again in 20s"
    sleep 20
  done
  cmd_wait
  log "up in $((SECONDS - t0))s; from the host:"
  cat >&2 <<EOF
  Kafka           127.0.0.1:$KAFKA_HOST_PORT
  Postgres        postgres://postgres:$POSTGRES_PASSWORD@127.0.0.1:$POSTGRES_HOST_PORT/streamline
  MQTT            mqtt://127.0.0.1:$MQTT_HOST_PORT
  NATS            nats://127.0.0.1:$NATS_HOST_PORT
  Kafka Connect   http://127.0.0.1:$CONNECT_HOST_PORT
  iot-ingestor    http://127.0.0.1:$IOT_INGESTOR_HOST_PORT   event-producer http://127.0.0.1:$EVENT_PRODUCER_HOST_PORT
  aggregator      http://127.0.0.1:$AGGREGATOR_HOST_PORT   dlq-handler    http://127.0.0.1:$DLQ_HANDLER_HOST_PORT
  cdc-sink        http://127.0.0.1:$CDC_SINK_HOST_PORT
EOF
}

cmd_down() {
  export_ports
  # Images are not needed to stop: any value makes the file valid.
  local var
  for var in "${IMAGE_VARS[@]}"; do export "$var=${!var:-${OFFICIAL[$var]}}"; done
  compose_cmd --profile simulator down --remove-orphans "$@"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  wait) export_ports; cmd_wait ;;
  env) export_ports; resolve_images; print_env ;;
  compose)
    shift
    export_ports
    for v in "${IMAGE_VARS[@]}"; do export "$v=${!v:-${OFFICIAL[$v]}}"; done
    compose_cmd "$@" ;;
  run) shift; export_ports; "$@" ;;
  *) die "usage: $0 up [--simulator] | down [-v] | wait | env | compose ARGS... | run CMD..." ;;
esac
