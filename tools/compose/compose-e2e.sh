#!/usr/bin/env bash
# streamline — `npm run compose:e2e`: the whole pipeline under Docker Compose on a real engine,
# driven from the host with real clients, then torn down.
#
#   1. a Docker engine (tools/compose/docker-engine.sh ensure: apt install + dockerd when missing)
#   2. images: official ones when present or pullable, else stand-ins (docker/offline/build.sh)
#   3. `up -d` under a unique project name with STREAMLINE_PORT_OFFSET (default 20000 here, so
#      the machine's own brokers keep their ports), wait until every container is healthy
#   4. tools/scripts/src/compose-e2e.ts: MQTT -> Kafka -> windows -> Postgres, HTTP -> Postgres
#      -> Debezium -> Kafka -> Postgres, bad payload -> dead letter -> dlq-handler API
#   5. `down -v` (containers, network, volumes), and dockerd stopped if step 1 started it
# Prints each step's time. Exit code: the checks' (1 when any failed), or the failing step's.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
COMPOSE=(bash tools/compose/compose.sh)
ENGINE=(bash tools/compose/docker-engine.sh)

export STREAMLINE_PORT_OFFSET="${STREAMLINE_PORT_OFFSET:-20000}"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-streamline-e2e-$(date +%s)-$$}"
export NX_DAEMON=false NX_TUI=false

log() { printf 'compose-e2e: %s\n' "$*" >&2; }
declare -a TIMINGS=()
timed() { # timed <label> <command...>
  local label="$1" t0=$SECONDS
  shift
  "$@"
  TIMINGS+=("$label: $((SECONDS - t0)) s")
}

started_engine=false
cleanup() {
  local code=$?
  set +e
  if docker info >/dev/null 2>&1; then
    local t0=$SECONDS
    "${COMPOSE[@]}" down -v >/dev/null 2>&1
    TIMINGS+=("down -v: $((SECONDS - t0)) s")
    local left
    left="$(docker ps -aq --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME")"
    [[ -z "$left" ]] || { log "containers left behind: $left"; code=1; }
  fi
  $started_engine && "${ENGINE[@]}" stop
  log "timings:"
  printf '  %s\n' "${TIMINGS[@]}" >&2
  log "total: $((SECONDS - E2E_START)) s, exit $code"
  exit "$code"
}
E2E_START=$SECONDS
trap cleanup EXIT

if ! "${ENGINE[@]}" status; then
  timed "docker engine start" "${ENGINE[@]}" ensure
  started_engine=true
else
  "${ENGINE[@]}" ensure
fi

log "project $COMPOSE_PROJECT_NAME, port offset $STREAMLINE_PORT_OFFSET"
# `compose.sh up` prints its own split (images, build, healthy); the total is timed here.
timed "images + build + up until healthy" "${COMPOSE[@]}" up
"${COMPOSE[@]}" compose ps >&2

timed "pipeline checks" "${COMPOSE[@]}" run npx tsx --tsconfig tsconfig.base.json tools/scripts/src/compose-e2e.ts
