#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2012 # bash -c snippets take "$1"/"$2" on purpose; ls output is plain names
# streamline local infrastructure: Apache Kafka (KRaft) and Kafka Connect with Debezium (from
# Maven Central jars), plus the machine's PostgreSQL, Mosquitto and NATS (JetStream).
#
#   bash infra/infra.sh up        start/reuse everything, create the database, provision topics
#   bash infra/infra.sh down      stop the Connect worker and Kafka broker this checkout started
#   bash infra/infra.sh status    one line per component; exit 1 if any is down
#   bash infra/infra.sh version   print the pinned Kafka version (docker: apache/kafka:<version>)
#   bash infra/infra.sh classpath print the Kafka classpath (resolving it first if needed)
#   bash infra/infra.sh run-class <main class> [args...]   run a Kafka CLI class, e.g.
#        run-class org.apache.kafka.tools.ProducerPerformance --topic t --num-records 1000 ...
#   bash infra/infra.sh logs      tail the broker log
#   bash infra/infra.sh connect-logs   tail the Kafka Connect worker log
#
# Environment (all optional):
#   KAFKA_PORT=9092  KAFKA_CONTROLLER_PORT=9093  KAFKA_HEAP_OPTS="-Xmx1G -Xms1G"
#   KAFKA_START_TIMEOUT=90  KAFKA_STOP_TIMEOUT=30  KAFKA_TOOLS_HEAP_OPTS=-Xmx1G (run-class)
#   CONNECT_PORT=8083  CONNECT_HEAP_OPTS="-Xmx512m -Xms512m"  CONNECT_START_TIMEOUT=180  CDC_REGISTER_WAIT=7200
#   STREAMLINE_DB=streamline
#   POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=5432 MQTT_PORT=1883 NATS_PORT=4222
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$INFRA_DIR")"
KAFKA_CONF_DIR="$INFRA_DIR/kafka"
KAFKA_VERSION="$(tr -d '[:space:]' <"$KAFKA_CONF_DIR/VERSION")"
CACHE_DIR="$INFRA_DIR/.cache/kafka-$KAFKA_VERSION"
KAFKA_LIB="$CACHE_DIR/lib"
DATA_ROOT="$INFRA_DIR/.data"
KDATA="$DATA_ROOT/kafka"
KAFKA_LOG_DIRS="$KDATA/data"      # Kafka storage (log.dirs)
KAFKA_APP_LOGS="$KDATA/logs"      # server.log & co
KAFKA_PID_FILE="$KDATA/kafka.pid"
KAFKA_CLUSTER_ID_FILE="$KDATA/cluster.id"
KAFKA_RENDERED_CONF="$KDATA/server.properties"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
POSTGRES_HOST="${POSTGRES_HOST:-127.0.0.1}"
POSTGRES_PORT="${POSTGRES_PORT:-5432}"
STREAMLINE_DB="${STREAMLINE_DB:-streamline}"
MQTT_PORT="${MQTT_PORT:-1883}"
NATS_PORT="${NATS_PORT:-4222}"
SERVICE_START_TIMEOUT="${SERVICE_START_TIMEOUT:-30}"

# JVM flags for short-lived CLI classes: start fast, small heap, quiet logging.
TOOLS_JAVA_OPTS=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
  "-Dlog4j.configuration=file:$KAFKA_CONF_DIR/tools-log4j.properties")

log() { printf 'infra: %s\n' "$*"; }
die() { printf 'infra: error: %s\n' "$*" >&2; exit 1; }

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }
for _v in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_START_TIMEOUT KAFKA_STOP_TIMEOUT POSTGRES_PORT MQTT_PORT NATS_PORT SERVICE_START_TIMEOUT; do
  is_uint "${!_v}" || die "$_v must be a number (got '${!_v}')"
done
[[ "$STREAMLINE_DB" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "STREAMLINE_DB must match [A-Za-z_][A-Za-z0-9_]* (got '$STREAMLINE_DB')"
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"

# ---------------------------------------------------------------------------------------------
# Low-level probes (no JVM, fast)
# ---------------------------------------------------------------------------------------------

# tcp_open HOST PORT -> 0 if something accepts TCP connections there.
tcp_open() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# kafka_protocol_ok PORT -> 0 if the listener answers a Kafka ApiVersions(v0) request with our
# correlation id, i.e. it speaks the Kafka protocol (any Kafka broker, ours or not).
kafka_protocol_ok() {
  local out
  out="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # size=15 | api_key=18 (ApiVersions) | api_version=0 | correlation_id=12345 | client_id="infra"
    printf "\x00\x00\x00\x0f\x00\x12\x00\x00\x00\x00\x30\x39\x00\x05infra" >&3
    head -c 8 <&3 | od -An -tx1
  ' _ "$1" 2>/dev/null || true)"
  # shellcheck disable=SC2086,SC2116 # unquoted echo = collapse od's whitespace
  [[ "$(echo $out)" =~ ^[0-9a-f]{2}\ [0-9a-f]{2}\ [0-9a-f]{2}\ [0-9a-f]{2}\ 00\ 00\ 30\ 39$ ]]
}

# mqtt_ok PORT -> 0 if an MQTT 3.1.1 CONNECT gets a CONNACK (accepted or not: it is an MQTT broker).
mqtt_ok() {
  local out
  out="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x10\x0c\x00\x04MQTT\x04\x02\x00\x0a\x00\x00" >&3
    r="$(head -c 2 <&3 | od -An -tx1)"
    printf "\xe0\x00" >&3 2>/dev/null || true
    echo $r
  ' _ "$1" 2>/dev/null || true)"
  # shellcheck disable=SC2086,SC2116
  [[ "$(echo $out)" == "20 02" ]]
}

# nats_info PORT -> prints the server's INFO line (NATS sends it right after connect).
nats_info() {
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    head -n 1 <&3
  ' _ "$1" 2>/dev/null || true
}

pg_ready() { pg_isready -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" >/dev/null 2>&1; }

# wait_for SECONDS CMD... -> poll CMD every 0.5 s until it succeeds or time runs out.
wait_for() {
  local secs="$1"; shift
  local deadline=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------------------------
# Java / Maven / classpath
# ---------------------------------------------------------------------------------------------

check_java() {
  command -v java >/dev/null 2>&1 || die "java not found on PATH: Kafka $KAFKA_VERSION needs Java 17+ (Debian: apt-get install -y openjdk-17-jre-headless)"
  local v major
  v="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${v%%.*}"
  [[ "$major" == "1" ]] && major="$(echo "$v" | cut -d. -f2)"
  is_uint "${major:-x}" || die "cannot tell the Java version from 'java -version' (got '$v'); Java 17+ is required"
  ((major >= 17)) || die "Java $v found, but Java 17+ is required (Debian: apt-get install -y openjdk-17-jre-headless)"
}

# die_maven_failure WHAT LOG -> one line telling a download problem from another Maven failure.
die_maven_failure() {
  if grep -qiE 'could not transfer|unknown ?host|connection (refused|timed out|reset)|no route to host|network is unreachable|offline mode|could not resolve dependencies|failed to read artifact descriptor' "$2"; then
    die "Maven could not download $1 from Maven Central (network/proxy/mirror problem?); details: ${2#"$REPO_DIR"/}"
  fi
  die "Maven dependency resolution for $1 failed; details: ${2#"$REPO_DIR"/}"
}

cache_fingerprint() {
  cat "$KAFKA_CONF_DIR/VERSION" "$KAFKA_CONF_DIR/pom.xml" | sha256sum | cut -d' ' -f1
}

# ensure_kafka_jars: resolve the Kafka runtime from Maven Central into infra/.cache once
# (again only when VERSION or pom.xml change).
ensure_kafka_jars() {
  local fp marker="$CACHE_DIR/.resolved"
  fp="$(cache_fingerprint)"
  if [[ -f "$marker" && "$(cat "$marker")" == "$fp" && -d "$KAFKA_LIB" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) not found on PATH: it is needed once to fetch Kafka $KAFKA_VERSION from Maven Central (Debian: apt-get install -y maven)"
  mkdir -p "$CACHE_DIR" "$DATA_ROOT"
  local tmp="$CACHE_DIR/lib.tmp" mlog="$DATA_ROOT/mvn-resolve.log" t0=$SECONDS
  rm -rf "$tmp"
  log "resolving Kafka $KAFKA_VERSION jars from Maven Central into ${CACHE_DIR#"$REPO_DIR"/} (first run only)..."
  if ! mvn -B -f "$KAFKA_CONF_DIR/pom.xml" dependency:copy-dependencies \
      "-Dkafka.version=$KAFKA_VERSION" "-Dkafka.lib.dir=$tmp" >"$mlog" 2>&1; then
    rm -rf "$tmp"
    die_maven_failure "Kafka $KAFKA_VERSION" "$mlog"
  fi
  ls "$tmp"/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 \
    || die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing from the result; details: ${mlog#"$REPO_DIR"/}"
  rm -rf "$KAFKA_LIB.old"
  [[ -d "$KAFKA_LIB" ]] && mv "$KAFKA_LIB" "$KAFKA_LIB.old"
  mv "$tmp" "$KAFKA_LIB"
  rm -rf "$KAFKA_LIB.old"
  echo "$fp" >"$marker"
  log "resolved $(ls "$KAFKA_LIB" | wc -l) jars in $((SECONDS - t0))s"
}

kafka_class() { # kafka_class MAIN_CLASS ARGS... (tools JVM settings)
  java "${TOOLS_JAVA_OPTS[@]}" -cp "$KAFKA_LIB/*" "$@"
}

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------

# pid_from_file FILE COMMAND_LINE_PART -> the pid in FILE if that process is alive and its command
# line contains COMMAND_LINE_PART (so a recycled pid of an unrelated process does not count).
pid_from_file() {
  [[ -f "$1" ]] || return 0
  local pid
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"; then
    echo "$pid"
  fi
}

# stop_pid PID TIMEOUT WHAT -> SIGTERM, wait up to TIMEOUT seconds, then SIGKILL.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  if ! wait_for "$2" bash -c '! [ -d "/proc/$1" ] || grep -q "^State:[[:space:]]*Z" "/proc/$1/status"' _ "$1"; then
    log "$3: still running after ${2}s, sending SIGKILL"
    kill -KILL "$1" 2>/dev/null || true
    wait_for 10 bash -c '! [ -d "/proc/$1" ]' _ "$1" || die "could not stop $3 pid $1"
  fi
}

# pid of the broker this checkout started, if it is still alive (empty otherwise).
our_kafka_pid() { pid_from_file "$KAFKA_PID_FILE" "kafka.Kafka $KAFKA_RENDERED_CONF"; }

# port of the PLAINTEXT listener in the config this checkout last started the broker with.
our_kafka_port() {
  sed -n 's|^listeners=PLAINTEXT://[^,]*:\([0-9][0-9]*\),.*|\1|p' "$KAFKA_RENDERED_CONF" 2>/dev/null || true
}

# kafka_ready: the broker serves admin requests (DescribeCluster) on KAFKA_PORT.
kafka_ready() {
  kafka_protocol_ok "$KAFKA_PORT" || return 1
  [[ -d "$KAFKA_LIB" ]] || return 0   # no jars to run the admin check with (status of a foreign broker)
  timeout 20 java "${TOOLS_JAVA_OPTS[@]}" -cp "$KAFKA_LIB/*" org.apache.kafka.tools.ClusterTool cluster-id \
    --bootstrap-server "localhost:$KAFKA_PORT" --config "$KAFKA_CONF_DIR/probe-admin.properties" >"$KDATA/probe.out" 2>&1
}

KAFKA_LOG_OFFSET=0   # size of server.log when this run started the broker: older lines are not ours

kafka_log_hint() {
  local f="$KAFKA_APP_LOGS/server.log" line=""
  [[ -f "$f" ]] && line="$(tail -c +$((KAFKA_LOG_OFFSET + 1)) "$f" | grep -E '\] (ERROR|FATAL) ' | tail -n 1 | cut -c1-300 || true)"
  [[ -z "$line" && -f "$KAFKA_APP_LOGS/kafka.out" ]] \
    && line="$(grep -vE '^\s*$' "$KAFKA_APP_LOGS/kafka.out" | tail -n 3 | tr '\n' ' ' | cut -c1-300 || true)"
  [[ -n "$line" ]] && printf 'infra:   last error: %s\n' "$line" >&2
  printf 'infra:   see %s (and %s)\n' "${f#"$REPO_DIR"/}" "${KAFKA_APP_LOGS#"$REPO_DIR"/}/kafka.out" >&2
}

render_kafka_conf() {
  mkdir -p "$KAFKA_LOG_DIRS" "$KAFKA_APP_LOGS"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_LOG_DIRS@|$KAFKA_LOG_DIRS|g" \
      "$KAFKA_CONF_DIR/server.properties" >"$KAFKA_RENDERED_CONF.tmp"
  mv "$KAFKA_RENDERED_CONF.tmp" "$KAFKA_RENDERED_CONF"
}

format_kafka_storage_once() {
  [[ -f "$KAFKA_LOG_DIRS/meta.properties" ]] && return 0
  if [[ ! -s "$KAFKA_CLUSTER_ID_FILE" ]]; then
    kafka_class kafka.tools.StorageTool random-uuid 2>"$KDATA/storage-tool.log" | tr -d '[:space:]' >"$KAFKA_CLUSTER_ID_FILE.tmp" \
      || die "kafka.tools.StorageTool random-uuid failed; details: ${KDATA#"$REPO_DIR"/}/storage-tool.log"
    [[ -s "$KAFKA_CLUSTER_ID_FILE.tmp" ]] || die "kafka.tools.StorageTool random-uuid printed nothing; details: ${KDATA#"$REPO_DIR"/}/storage-tool.log"
    mv "$KAFKA_CLUSTER_ID_FILE.tmp" "$KAFKA_CLUSTER_ID_FILE"
  fi
  local cid
  cid="$(cat "$KAFKA_CLUSTER_ID_FILE")"
  log "formatting Kafka storage (first start, cluster id $cid)"
  kafka_class kafka.tools.StorageTool format -t "$cid" -c "$KAFKA_RENDERED_CONF" >"$KDATA/storage-tool.log" 2>&1 \
    || die "formatting Kafka storage failed: $(grep -vE '^\s*$' "$KDATA/storage-tool.log" | tail -n 1 | cut -c1-300)"
}

# wait_kafka_ready PID -> wait until the broker answers, failing early if PID dies.
wait_kafka_ready() {
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while :; do
    if [[ -n "$pid" && ! -d "/proc/$pid" ]]; then
      rm -f "$KAFKA_PID_FILE"
      printf 'infra: error: Kafka exited during startup\n' >&2
      kafka_log_hint; exit 1
    fi
    kafka_ready && return 0
    if ((SECONDS >= deadline)); then
      printf 'infra: error: Kafka did not answer on localhost:%s within %ss (pid %s still running: run up again to keep waiting, or down to stop it)\n' \
        "$KAFKA_PORT" "$KAFKA_START_TIMEOUT" "${pid:-?}" >&2
      kafka_log_hint; exit 1
    fi
    sleep 1
  done
}

kafka_up() {
  check_java
  mkdir -p "$KDATA"
  local pid
  pid="$(our_kafka_pid)"
  if [[ -n "$pid" ]]; then
    local running_port
    running_port="$(our_kafka_port)"
    [[ -z "$running_port" || "$running_port" == "$KAFKA_PORT" ]] \
      || die "this checkout's broker (pid $pid) runs on port $running_port, not KAFKA_PORT=$KAFKA_PORT; run 'infra.sh down' first"
  fi

  if tcp_open 127.0.0.1 "$KAFKA_PORT"; then
    if ! kafka_protocol_ok "$KAFKA_PORT"; then
      # Our own broker may have bound the port a split second before it answers.
      if [[ -z "$pid" ]] || ! wait_for 15 kafka_protocol_ok "$KAFKA_PORT"; then
        die "port $KAFKA_PORT is taken by something that is not a Kafka broker ($(port_owner "$KAFKA_PORT")); free it or set KAFKA_PORT"
      fi
    fi
    ensure_kafka_jars
    if [[ -n "$pid" ]]; then
      wait_kafka_ready "$pid"
      log "kafka: already running (pid $pid, started by this checkout) on localhost:$KAFKA_PORT"
    else
      wait_for 30 kafka_ready || die "a Kafka broker listens on port $KAFKA_PORT but does not serve admin requests (see ${KDATA#"$REPO_DIR"/}/probe.out)"
      log "kafka: reusing the broker already answering on localhost:$KAFKA_PORT (not started by this checkout: 'down' will leave it alone)"
    fi
    return 0
  fi

  ensure_kafka_jars
  if [[ -n "$pid" ]]; then
    # Started by us but not listening (yet): still booting, or listening on another port.
    log "kafka: pid $pid (this checkout) is running but localhost:$KAFKA_PORT does not answer yet; waiting..."
    wait_kafka_ready "$pid"
    log "kafka: up on localhost:$KAFKA_PORT (pid $pid)"
    return 0
  fi

  if tcp_open 127.0.0.1 "$KAFKA_CONTROLLER_PORT"; then
    die "controller port $KAFKA_CONTROLLER_PORT is taken ($(port_owner "$KAFKA_CONTROLLER_PORT")); free it or set KAFKA_CONTROLLER_PORT"
  fi

  render_kafka_conf
  format_kafka_storage_once

  local t0=$SECONDS
  KAFKA_LOG_OFFSET="$(stat -c %s "$KAFKA_APP_LOGS/server.log" 2>/dev/null || echo 0)"
  log "kafka: starting Kafka $KAFKA_VERSION on localhost:$KAFKA_PORT (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT), log ${KAFKA_APP_LOGS#"$REPO_DIR"/}/server.log"
  # Detached (own session) so that it survives the terminal/npm process that ran `up`.
  # shellcheck disable=SC2086
  KAFKA_PID_FILE="$KAFKA_PID_FILE" setsid bash -c 'echo $$ >"$KAFKA_PID_FILE"; exec "$@"' _ \
    java $KAFKA_HEAP_OPTS $KAFKA_JVM_PERFORMANCE_OPTS \
      "-Dlog4j.configuration=file:$KAFKA_CONF_DIR/log4j.properties" \
      "-Dkafka.logs.dir=$KAFKA_APP_LOGS" \
      -cp "$KAFKA_LIB/*" kafka.Kafka "$KAFKA_RENDERED_CONF" \
      </dev/null >"$KAFKA_APP_LOGS/kafka.out" 2>&1 9>&- &
  # Wait for the pid file written by the child.
  local _i
  for _i in $(seq 1 50); do [[ -s "$KAFKA_PID_FILE" ]] && break; sleep 0.1; done
  pid="$(tr -dc '0-9' <"$KAFKA_PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] || die "could not start java (no pid)"
  wait_kafka_ready "$pid"
  log "kafka: up on localhost:$KAFKA_PORT (pid $pid) in $((SECONDS - t0))s"
}

kafka_down() {
  local pid
  pid="$(our_kafka_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$KAFKA_PID_FILE"
    if kafka_protocol_ok "$KAFKA_PORT"; then
      log "kafka: no broker started by this checkout; the one on localhost:$KAFKA_PORT was started elsewhere and is left running"
    else
      log "kafka: not running (nothing to stop)"
    fi
    return 0
  fi
  log "kafka: stopping pid $pid (SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s)..."
  local t0=$SECONDS
  stop_pid "$pid" "$KAFKA_STOP_TIMEOUT" kafka
  rm -f "$KAFKA_PID_FILE"
  log "kafka: stopped in $((SECONDS - t0))s (data kept in ${KAFKA_LOG_DIRS#"$REPO_DIR"/})"
}

port_owner() {
  local o
  o="$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -n1 | sed 's/users:(("\([^"]*\)",pid=\([0-9]*\)/\1, pid \2/' || true)"
  echo "${o:-owner unknown}"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL, Mosquitto, NATS (the machine's own; started if down, never stopped)
# ---------------------------------------------------------------------------------------------

postgres_up() {
  if ! pg_ready; then
    local ver
    ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$ver" ]]; then
      die "PostgreSQL is not answering on $POSTGRES_HOST:$POSTGRES_PORT and pg_ctlcluster is not installed to start it"
    fi
    log "postgres: not answering, starting cluster $ver/main"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 9>&- || true
    wait_for "$SERVICE_START_TIMEOUT" pg_ready \
      || die "PostgreSQL did not answer on $POSTGRES_HOST:$POSTGRES_PORT within ${SERVICE_START_TIMEOUT}s (see /var/log/postgresql/)"
  fi
  local psql=(psql -X -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -tA)
  local exists err
  exists="$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$STREAMLINE_DB'" 2>&1)" \
    || die "cannot query PostgreSQL as user postgres: $(echo "$exists" | head -n1)"
  if [[ "$exists" != "1" ]]; then
    if ! err="$("${psql[@]}" -c "CREATE DATABASE \"$STREAMLINE_DB\"" 2>&1)"; then
      # Lost a race with a concurrent `up`? Then it exists now.
      [[ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$STREAMLINE_DB'" 2>/dev/null)" == "1" ]] \
        || die "cannot create database $STREAMLINE_DB: $(echo "$err" | head -n1)"
    fi
    log "postgres: created database $STREAMLINE_DB"
  fi
  postgres_logical_wal
  log "postgres: up on $POSTGRES_HOST:$POSTGRES_PORT, database $STREAMLINE_DB (wal_level=logical)"
}

pg_sql() { # pg_sql DB SQL -> runs SQL as user postgres, prints tuples only
  psql -X -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U postgres -d "$1" -v ON_ERROR_STOP=1 -tA -c "$2"
}

# postgres_logical_wal: Debezium reads the WAL through logical decoding (pgoutput), which needs
# wal_level=logical. Changing it needs a server restart, done once (next runs find it set).
postgres_logical_wal() {
  local level err="$DATA_ROOT/psql.err"
  # stderr apart: only the server's answer may decide on a restart.
  level="$(pg_sql postgres 'SHOW wal_level' 2>"$err")" || die "cannot read wal_level: $(head -n1 "$err")"
  [[ "$level" == "logical" ]] && return 0
  [[ "$level" == "replica" || "$level" == "minimal" ]] || die "unexpected answer to SHOW wal_level: '$(echo "$level" | head -c 100)'"
  local ver out
  ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)"
  out="$(pg_sql postgres 'ALTER SYSTEM SET wal_level = logical' 2>&1)" || die "ALTER SYSTEM SET wal_level = logical failed: $(echo "$out" | head -n1)"
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [[ -z "$ver" ]]; then
    die "wal_level is '$level' (Debezium needs 'logical'); it is set now, restart PostgreSQL yourself (pg_ctlcluster is not available here)"
  fi
  log "postgres: restarting cluster $ver/main ONCE to switch wal_level from $level to logical (needed by Debezium CDC)"
  out="$(pg_ctlcluster --skip-systemctl-redirect "$ver" main restart 2>&1 9>&-)" \
    || die "restarting PostgreSQL $ver/main failed: $(echo "$out" | tail -n1)"
  wait_for "$SERVICE_START_TIMEOUT" pg_ready \
    || die "PostgreSQL did not answer on $POSTGRES_HOST:$POSTGRES_PORT within ${SERVICE_START_TIMEOUT}s after the restart (see /var/log/postgresql/)"
  level="$(pg_sql postgres 'SHOW wal_level' 2>&1 || true)"
  [[ "$level" == "logical" ]] || die "wal_level is still '$level' after the restart (check /etc/postgresql/$ver/main/postgresql.conf)"
}

# Mosquitto with the project's limits (render the config, restart the machine's broker once)
# shellcheck source=mosquitto/mosquitto.sh
source "$INFRA_DIR/mosquitto/mosquitto.sh"

nats_answers() { [[ "$(nats_info "$NATS_PORT")" == INFO* ]]; }

nats_up() {
  if ! nats_answers; then
    if tcp_open 127.0.0.1 "$NATS_PORT"; then
      wait_for 5 nats_answers \
        || die "port $NATS_PORT is taken by something that is not a NATS server ($(port_owner "$NATS_PORT"))"
    else
      if [[ ! -x /usr/sbin/nats-server ]] || ! command -v start-stop-daemon >/dev/null 2>&1; then
        die "NATS is not answering on 127.0.0.1:$NATS_PORT and /usr/sbin/nats-server is not installed"
      fi
      log "nats: not answering, starting it (JetStream on)"
      start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
        -a 127.0.0.1 -p "$NATS_PORT" -js -sd /var/lib/nats-server -l /var/log/nats-server.log >/dev/null 2>&1 9>&- || true
      wait_for "$SERVICE_START_TIMEOUT" nats_answers \
        || die "NATS did not answer on 127.0.0.1:$NATS_PORT within ${SERVICE_START_TIMEOUT}s (see /var/log/nats-server.log)"
    fi
  fi
  nats_info "$NATS_PORT" | grep -q '"jetstream":true' \
    || die "NATS on 127.0.0.1:$NATS_PORT runs without JetStream; restart it with -js (see infra/README.md)"
  log "nats: up on 127.0.0.1:$NATS_PORT (JetStream enabled)"
}

# Kafka Connect + Debezium (worker, production connector, slot clean-up)
# shellcheck source=connect/connect.sh
source "$INFRA_DIR/connect/connect.sh"

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

with_lock() {
  mkdir -p "$DATA_ROOT"
  # Daemons started below get `9>&-` so that they do not inherit (and hold for ever) this lock.
  exec 9>"$DATA_ROOT/up.lock"
  flock -w 120 9 || die "another 'infra.sh' is running in this checkout (lock ${DATA_ROOT#"$REPO_DIR"/}/up.lock)"
}

provision_topics() {
  local script="$REPO_DIR/tools/scripts/src/provision-topics.ts" tsx="$REPO_DIR/node_modules/.bin/tsx"
  [[ -f "$script" ]] || return 0
  if [[ ! -x "$tsx" ]]; then
    log "topics: skipped (node_modules/.bin/tsx missing: run npm install)"
    return 0
  fi
  log "topics: creating the contract topics (tools/scripts/src/provision-topics.ts)"
  local rc=0
  (cd "$REPO_DIR" && KAFKA_BROKERS="${KAFKA_BROKERS:-localhost:$KAFKA_PORT}" "$tsx" --tsconfig tsconfig.base.json tools/scripts/src/provision-topics.ts) || rc=$?
  ((rc == 0)) || die "topic provisioning failed (tools/scripts/src/provision-topics.ts exited with $rc; see its output above)"
}

cmd_up() {
  local t0=$SECONDS
  with_lock
  postgres_up
  mosquitto_up
  nats_up
  kafka_up
  provision_topics
  connect_up
  log "all up in $((SECONDS - t0))s: KAFKA_BROKERS=localhost:$KAFKA_PORT DATABASE_URL=postgres://postgres@localhost:$POSTGRES_PORT/$STREAMLINE_DB MQTT_URL=mqtt://localhost:$MQTT_PORT NATS_URL=nats://localhost:$NATS_PORT KAFKA_CONNECT_URL=http://127.0.0.1:$CONNECT_PORT"
}

cmd_down() {
  with_lock
  connect_down
  kafka_down
  log "postgres, mosquitto and nats belong to the machine and are left running"
}

cmd_status() {
  local bad=0 pid detail
  pid="$(our_kafka_pid)"
  if kafka_protocol_ok "$KAFKA_PORT"; then
    if [[ -n "$pid" ]]; then detail="pid $pid, started by this checkout, Kafka $KAFKA_VERSION"; else detail="not started by this checkout"; fi
    printf '%-10s %-5s %s\n' kafka up "localhost:$KAFKA_PORT ($detail)"
  else
    if [[ -n "$pid" ]]; then
      detail="pid $pid of this checkout runs with port $(our_kafka_port) but does not answer here"
    else
      detail="not running"
    fi
    printf '%-10s %-5s %s\n' kafka down "localhost:$KAFKA_PORT ($detail)"; bad=1
  fi

  if pg_ready; then
    local has
    has="$(psql -X -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U postgres -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$STREAMLINE_DB'" 2>/dev/null || true)"
    if [[ "$has" == "1" ]]; then
      printf '%-10s %-5s %s\n' postgres up "$POSTGRES_HOST:$POSTGRES_PORT (database $STREAMLINE_DB)"
    else
      printf '%-10s %-5s %s\n' postgres up "$POSTGRES_HOST:$POSTGRES_PORT (database $STREAMLINE_DB missing: run up)"
    fi
  else
    printf '%-10s %-5s %s\n' postgres down "$POSTGRES_HOST:$POSTGRES_PORT"; bad=1
  fi

  if mqtt_ok "$MQTT_PORT"; then
    local mpid
    mpid="$(mosquitto_pid)"
    if [[ -n "$mpid" ]] && mosquitto_has_project_conf "$mpid"; then
      detail="pid $mpid, project limits: $(mosquitto_limits | paste -sd, | sed 's/,/, /g')"
    else
      detail="pid ${mpid:-?}, WITHOUT the project's limits (config $(mosquitto_conf_of "${mpid:-0}")): run up"; bad=1
    fi
    printf '%-10s %-5s %s\n' mosquitto up "127.0.0.1:$MQTT_PORT ($detail)"
  else
    printf '%-10s %-5s %s\n' mosquitto down "127.0.0.1:$MQTT_PORT"; bad=1
  fi

  local info
  info="$(nats_info "$NATS_PORT")"
  if [[ "$info" == INFO* && "$info" == *'"jetstream":true'* ]]; then
    printf '%-10s %-5s %s\n' nats up "127.0.0.1:$NATS_PORT (JetStream enabled)"
  elif [[ "$info" == INFO* ]]; then
    printf '%-10s %-5s %s\n' nats down "127.0.0.1:$NATS_PORT (running WITHOUT JetStream)"; bad=1
  else
    printf '%-10s %-5s %s\n' nats down "127.0.0.1:$NATS_PORT"; bad=1
  fi
  connect_status || bad=1
  return "$bad"
}

usage() {
  sed -n '3,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    version) echo "$KAFKA_VERSION" ;;
    classpath) check_java; ensure_kafka_jars >&2; echo "$KAFKA_LIB/*" ;;
    run-class)
      [[ $# -ge 1 ]] || die "usage: infra.sh run-class <main class> [args...]"
      check_java; ensure_kafka_jars >&2
      # shellcheck disable=SC2086
      exec java ${KAFKA_TOOLS_HEAP_OPTS:--Xmx1G} "-Dlog4j.configuration=file:$KAFKA_CONF_DIR/tools-log4j.properties" \
        -cp "$KAFKA_LIB/*" "$@" ;;
    logs) exec tail -n 100 -F "$KAFKA_APP_LOGS/server.log" ;;
    connect-logs) exec tail -n 100 -F "$CONNECT_APP_LOGS/connect.log" ;;
    cdc-register-when-ready) cdc_register_when_ready ;; # internal: started detached by `up`
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
