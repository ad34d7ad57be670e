#!/usr/bin/env bash
# streamline — a Docker engine for the compose suite, on a Debian machine (idempotent).
#
#   bash tools/compose/docker-engine.sh ensure   install docker.io + docker-compose (apt) when
#                                                missing, start dockerd when no engine answers,
#                                                wait for `docker info`
#   bash tools/compose/docker-engine.sh stop     stop dockerd, only if `ensure` started it
#   bash tools/compose/docker-engine.sh status   exit 0 when an engine answers
#
# Installing and starting need root (CI and these machines run as root); a machine whose engine
# already runs (Docker Desktop, a systemd docker.service) is left as it is.
#
# Environment: DOCKER_STATE_DIR (default /var/tmp/streamline-docker: dockerd.pid, dockerd.log and
# the marker saying that this script started the engine), DOCKER_START_TIMEOUT (default 60 s),
# DOCKER_CPU_SHARES (default 8192, see below).
set -euo pipefail

STATE_DIR="${DOCKER_STATE_DIR:-/var/tmp/streamline-docker}"
PID_FILE="$STATE_DIR/dockerd.pid"
LOG_FILE="$STATE_DIR/dockerd.log"
START_TIMEOUT="${DOCKER_START_TIMEOUT:-60}"

log() { printf 'docker-engine: %s\n' "$*" >&2; }
die() { printf 'docker-engine: error: %s\n' "$*" >&2; exit 1; }

engine_answers() { docker info >/dev/null 2>&1; }

have_compose() {
  command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  # A docker CLI may be on the machine without an engine: dockerd decides, not `docker`.
  have_compose || missing+=(docker-compose)
  ((${#missing[@]} == 0)) && return 0
  [[ $(id -u) -eq 0 ]] || die "missing ${missing[*]}: run as root, or install them (apt-get install ${missing[*]})"
  command -v apt-get >/dev/null 2>&1 || die "missing ${missing[*]} and no apt-get: install Docker and Compose by hand"
  log "installing ${missing[*]} (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

start_dockerd() {
  [[ $(id -u) -eq 0 ]] || die "no Docker engine answers and starting dockerd needs root"
  mkdir -p "$STATE_DIR"
  if [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
    log "dockerd (pid $(cat "$PID_FILE")) is starting"
  else
    log "starting dockerd (log: $LOG_FILE)"
    # Own process group (setsid), so the caller's job control never stops it by accident.
    setsid dockerd --pidfile "$STATE_DIR/dockerd.own.pid" >>"$LOG_FILE" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
  fi
  local waited=0
  until engine_answers; do
    kill -0 "$(cat "$PID_FILE")" 2>/dev/null || { tail -n 20 "$LOG_FILE" >&2; die "dockerd exited"; }
    ((waited >= START_TIMEOUT)) && { tail -n 20 "$LOG_FILE" >&2; die "dockerd did not answer within ${START_TIMEOUT}s"; }
    sleep 1
    waited=$((waited + 1))
  done
  log "dockerd is up after ${waited}s"
  weigh_containers
}

# On cgroup v1 every host process competes for CPU on its own, while all containers together are
# one group (/docker) of the weight of ONE process: with a test suite running beside them they get
# a few percent of the CPU and miss their health checks. The engine this script starts gives the
# group the weight of DOCKER_CPU_SHARES / 1024 processes (default 8). An idle machine is unaffected.
weigh_containers() {
  local group=/sys/fs/cgroup/cpu/docker
  [[ -d /sys/fs/cgroup/cpu ]] || return 0
  mkdir -p "$group" && echo "${DOCKER_CPU_SHARES:-8192}" >"$group/cpu.shares" \
    || log "could not set $group/cpu.shares (containers share the CPU as one process)"
}

cmd_ensure() {
  install_packages
  if engine_answers; then
    log "engine answers: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
    return 0
  fi
  start_dockerd
}

cmd_stop() {
  if [[ ! -f "$PID_FILE" ]]; then
    log "this script did not start dockerd: leaving the engine alone"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping dockerd (pid $pid)"
    kill -TERM "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && die "dockerd (pid $pid) still runs after 30s"
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  ensure) cmd_ensure ;;
  stop) cmd_stop ;;
  status) engine_answers ;;
  *) die "usage: $0 ensure|stop|status" ;;
esac
