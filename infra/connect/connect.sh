# shellcheck shell=bash disable=SC2016
# streamline local Kafka Connect worker (distributed mode) + the Debezium Postgres connector that
# captures registry.devices on cdc.registry.devices. Sourced by infra/infra.sh (uses its log, die,
# wait_for, tcp_open, port_owner, pg_sql, check_java, die_maven_failure and settings).

CONNECT_CONF_DIR="$INFRA_DIR/connect"
CONNECT_CACHE="$INFRA_DIR/.cache/connect"
CONNECT_LIB="$CONNECT_CACHE/lib"
CONNECT_PLUGINS="$CONNECT_CACHE/plugins"
CDATA="$DATA_ROOT/connect"
CONNECT_APP_LOGS="$CDATA/logs"
CONNECT_PID_FILE="$CDATA/connect.pid"
CONNECT_RENDERED_CONF="$CDATA/worker.properties"
REGISTRAR_PID_FILE="$CDATA/registrar.pid"

CONNECT_PORT="${CONNECT_PORT:-8083}"
CONNECT_HEAP_OPTS="${CONNECT_HEAP_OPTS:--Xmx512m -Xms512m}"
CONNECT_START_TIMEOUT="${CONNECT_START_TIMEOUT:-180}"
CONNECT_STOP_TIMEOUT="${CONNECT_STOP_TIMEOUT:-30}"
# How long a background registrar waits for registry.devices (created by event-producer's
# migrations on its first start) before giving up.
CDC_REGISTER_WAIT="${CDC_REGISTER_WAIT:-7200}"
# The connector's settings are the compose deployment's (one source): only the connection to
# Postgres differs here, and a WAL heartbeat is added when the file has none (see README, Choices).
CDC_SHARED_CONFIG="$REPO_DIR/docker/connect/registry-devices.json"
CDC_CONNECTOR="streamline-registry-devices" # = CONNECTOR_NAME of the compose `connector` job
CDC_SLOT="" CDC_PUBLICATION="" CDC_SCHEMA="" CDC_TABLE="" # read by cdc_names
# Names of test connectors (libs/testing/src/infra/debezium-connector.ts):
# streamline-cdc-test-<Date.now() base 36>-<hex>, slots/publications with '_' instead of '-'.
CDC_TEST_PREFIX="streamline-cdc-test"
CDC_TEST_MAX_AGE_SECONDS=1800 # a test connector older than this was left behind by a killed run

for _v in CONNECT_PORT CONNECT_START_TIMEOUT CONNECT_STOP_TIMEOUT CDC_REGISTER_WAIT; do
  [[ "${!_v}" =~ ^[0-9]+$ ]] || die "$_v must be a number (got '${!_v}')"
done

connect_url() { echo "http://127.0.0.1:$CONNECT_PORT$1"; }

# connect_http METHOD PATH [JSON] -> prints the body, returns 0 for 2xx; HTTP_STATUS holds the code.
HTTP_STATUS=""
connect_http() {
  local out
  out="$(curl -s -m 15 -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} \
    -w '\n%{http_code}' "$(connect_url "$2")" 2>/dev/null)" || { HTTP_STATUS=000; return 1; }
  HTTP_STATUS="${out##*$'\n'}"
  printf '%s' "${out%$'\n'*}"
  [[ "$HTTP_STATUS" == 2* ]]
}

# json EXPR < JSON -> evaluates a JS expression over `j` (the parsed stdin) with node.
json() {
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);const r=('"$1"');if(r!==undefined&&r!==null)console.log(typeof r==="string"?r:JSON.stringify(r));});'
}

# ---------------------------------------------------------------------------------------------
# Jars
# ---------------------------------------------------------------------------------------------

connect_versions() { # -> "<Kafka Connect version> <Debezium version>" from the pom
  sed -n 's|.*<connect.kafka.version>\(.*\)</connect.kafka.version>.*|\1|p; s|.*<debezium.version>\(.*\)</debezium.version>.*|\1|p' \
    "$CONNECT_CONF_DIR/pom.xml" | paste -sd' '
}

# ensure_connect_jars: resolve the Connect runtime + Debezium plugin archive into
# infra/.cache/connect once (again only when infra/connect/pom.xml changes).
ensure_connect_jars() {
  local fp marker="$CONNECT_CACHE/.resolved" versions
  fp="$(sha256sum "$CONNECT_CONF_DIR/pom.xml" | cut -d' ' -f1)"
  [[ -f "$marker" && "$(cat "$marker")" == "$fp" && -d "$CONNECT_LIB" && -d "$CONNECT_PLUGINS" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) not found on PATH: it is needed once to fetch Kafka Connect and Debezium from Maven Central (Debian: apt-get install -y maven)"
  versions="$(connect_versions)"
  local tmp="$CONNECT_CACHE.tmp" mlog="$DATA_ROOT/mvn-resolve-connect.log" t0=$SECONDS
  rm -rf "$tmp"
  mkdir -p "$tmp" "$DATA_ROOT"
  log "connect: resolving Kafka Connect ${versions% *} + Debezium ${versions#* } from Maven Central into ${CONNECT_CACHE#"$REPO_DIR"/} (first run only)..."
  if ! mvn -B -f "$CONNECT_CONF_DIR/pom.xml" dependency:copy-dependencies dependency:unpack \
      "-Dconnect.dir=$tmp" >"$mlog" 2>&1; then
    rm -rf "$tmp"
    die_maven_failure "Kafka Connect / Debezium ($versions)" "$mlog"
  fi
  ls "$tmp"/lib/connect-runtime-*.jar "$tmp"/plugins/debezium-connector-postgres/debezium-connector-postgres-*.jar >/dev/null 2>&1 \
    || { rm -rf "$tmp"; die "Maven finished but connect-runtime or debezium-connector-postgres is missing from the result; details: ${mlog#"$REPO_DIR"/}"; }
  echo "$fp" >"$tmp/.resolved"
  rm -rf "$CONNECT_CACHE.old"
  [[ -d "$CONNECT_CACHE" ]] && mv "$CONNECT_CACHE" "$CONNECT_CACHE.old"
  mv "$tmp" "$CONNECT_CACHE"
  rm -rf "$CONNECT_CACHE.old"
  log "connect: resolved $(ls "$CONNECT_LIB" | wc -l) runtime jars + the Debezium plugin in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------------------------------------
# Worker
# ---------------------------------------------------------------------------------------------

our_connect_pid() { pid_from_file "$CONNECT_PID_FILE" "ConnectDistributed $CONNECT_RENDERED_CONF"; }

# A Connect worker answers GET / with its version and the Kafka cluster id.
connect_answers() { connect_http GET / 2>/dev/null | grep -q '"kafka_cluster_id"'; }
# The herder is started (GET /connectors answers 200): connectors can be registered.
connect_ready() { connect_http GET /connectors >/dev/null 2>&1; }

connect_log_hint() {
  local f="$CONNECT_APP_LOGS/connect.log" line=""
  [[ -f "$f" ]] && line="$(grep -E '^\[[^]]*\] (ERROR|FATAL) ' "$f" | tail -n 1 | cut -c1-300 || true)"
  [[ -z "$line" && -f "$CONNECT_APP_LOGS/connect.out" ]] \
    && line="$(grep -vE '^\s*$' "$CONNECT_APP_LOGS/connect.out" | tail -n 3 | tr '\n' ' ' | cut -c1-300 || true)"
  [[ -n "$line" ]] && printf 'infra:   last error: %s\n' "$line" >&2
  printf 'infra:   see %s (and connect.out next to it)\n' "${f#"$REPO_DIR"/}" >&2
}

wait_connect_ready() {
  local pid="$1" deadline=$((SECONDS + CONNECT_START_TIMEOUT))
  until connect_ready; do
    if [[ -n "$pid" && ! -d "/proc/$pid" ]]; then
      rm -f "$CONNECT_PID_FILE"
      printf 'infra: error: the Kafka Connect worker exited during startup\n' >&2
      connect_log_hint; exit 1
    fi
    if ((SECONDS >= deadline)); then
      printf 'infra: error: Kafka Connect did not answer on 127.0.0.1:%s within %ss (pid %s still running: run up again to keep waiting, or down to stop it)\n' \
        "$CONNECT_PORT" "$CONNECT_START_TIMEOUT" "${pid:-?}" >&2
      connect_log_hint; exit 1
    fi
    sleep 1
  done
}

render_connect_conf() {
  mkdir -p "$CONNECT_APP_LOGS"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONNECT_PORT@|$CONNECT_PORT|g" \
      -e "s|@CONNECT_PLUGIN_PATH@|$CONNECT_PLUGINS|g" \
      "$CONNECT_CONF_DIR/worker.properties" >"$CONNECT_RENDERED_CONF.tmp"
  mv "$CONNECT_RENDERED_CONF.tmp" "$CONNECT_RENDERED_CONF"
}

connect_worker_up() {
  mkdir -p "$CDATA"
  local pid
  pid="$(our_connect_pid)"
  if [[ -n "$pid" ]]; then
    local running_port
    running_port="$(sed -n 's|^rest.advertised.port=||p' "$CONNECT_RENDERED_CONF" 2>/dev/null)"
    [[ -z "$running_port" || "$running_port" == "$CONNECT_PORT" ]] \
      || die "this checkout's Kafka Connect worker (pid $pid) runs on port $running_port, not CONNECT_PORT=$CONNECT_PORT; run 'infra.sh down' first"
  fi
  if tcp_open 127.0.0.1 "$CONNECT_PORT"; then
    if [[ -n "$pid" ]]; then
      wait_connect_ready "$pid"
      log "connect: already running (pid $pid, started by this checkout) on 127.0.0.1:$CONNECT_PORT"
      return 0
    fi
    wait_for 10 connect_answers \
      || die "port $CONNECT_PORT is taken by something that is not a Kafka Connect worker ($(port_owner "$CONNECT_PORT")); free it or set CONNECT_PORT"
    wait_for 60 connect_ready || die "the Kafka Connect worker on 127.0.0.1:$CONNECT_PORT does not serve /connectors"
    connect_http GET /connector-plugins | grep -q 'io.debezium.connector.postgresql.PostgresConnector' \
      || die "the Kafka Connect worker on 127.0.0.1:$CONNECT_PORT (not started by this checkout) has no Debezium Postgres plugin; stop it or set CONNECT_PORT"
    log "connect: reusing the worker already answering on 127.0.0.1:$CONNECT_PORT (not started by this checkout: 'down' will leave it alone)"
    return 0
  fi
  ensure_connect_jars
  if [[ -n "$pid" ]]; then
    log "connect: pid $pid (this checkout) is running but 127.0.0.1:$CONNECT_PORT does not answer yet; waiting..."
    wait_connect_ready "$pid"
    return 0
  fi
  render_connect_conf
  local t0=$SECONDS versions
  versions="$(connect_versions)"
  log "connect: starting Kafka Connect ${versions% *} (distributed) with Debezium ${versions#* } on 127.0.0.1:$CONNECT_PORT, log ${CONNECT_APP_LOGS#"$REPO_DIR"/}/connect.log"
  # shellcheck disable=SC2086
  CONNECT_PID_FILE="$CONNECT_PID_FILE" setsid bash -c 'echo $$ >"$CONNECT_PID_FILE"; exec "$@"' _ \
    java $CONNECT_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      "-Dlog4j2.configurationFile=$CONNECT_CONF_DIR/log4j2.properties" "-Dconnect.logs.dir=$CONNECT_APP_LOGS" \
      -cp "$CONNECT_LIB/*" org.apache.kafka.connect.cli.ConnectDistributed "$CONNECT_RENDERED_CONF" \
      </dev/null >"$CONNECT_APP_LOGS/connect.out" 2>&1 9>&- &
  wait_for 10 test -s "$CONNECT_PID_FILE" || die "the Kafka Connect worker did not start (see ${CONNECT_APP_LOGS#"$REPO_DIR"/}/connect.out)"
  pid="$(tr -dc '0-9' <"$CONNECT_PID_FILE")"
  wait_connect_ready "$pid"
  log "connect: up on 127.0.0.1:$CONNECT_PORT (pid $pid) in $((SECONDS - t0))s"
}


registrar_pid() { pid_from_file "$REGISTRAR_PID_FILE" "infra.sh cdc-register-when-ready"; }

connect_down() {
  local rpid pid t0=$SECONDS
  rpid="$(registrar_pid)"
  [[ -n "$rpid" ]] && { kill -TERM "$rpid" 2>/dev/null || true; rm -f "$REGISTRAR_PID_FILE"; }
  pid="$(our_connect_pid)"
  if [[ -z "$pid" ]]; then
    rm -f "$CONNECT_PID_FILE"
    log "connect: no worker started by this checkout (nothing to stop)"
    return 0
  fi
  # Connectors keep their configs and offsets in Kafka: the next `up` resumes where this stopped.
  log "connect: stopping pid $pid (SIGTERM, up to ${CONNECT_STOP_TIMEOUT}s)..."
  stop_pid "$pid" "$CONNECT_STOP_TIMEOUT" connect
  rm -f "$CONNECT_PID_FILE"
  log "connect: stopped in $((SECONDS - t0))s"
}

# ---------------------------------------------------------------------------------------------
# The production connector: registry.devices -> cdc.registry.devices
# ---------------------------------------------------------------------------------------------

# cdc_names: slot, publication and table of the shared connector config (once per run).
cdc_names() {
  [[ -n "$CDC_SLOT" ]] && return 0
  [[ -r "$CDC_SHARED_CONFIG" ]] || die "missing ${CDC_SHARED_CONFIG#"$REPO_DIR"/} (the CDC connector's settings, shared with docker-compose)"
  local names
  names="$(json '[j["slot.name"], j["publication.name"], j["table.include.list"]].join(" ")' <"$CDC_SHARED_CONFIG" 2>&1)" \
    || die "cannot read ${CDC_SHARED_CONFIG#"$REPO_DIR"/}: $(echo "$names" | tail -n1)"
  read -r CDC_SLOT CDC_PUBLICATION CDC_SCHEMA <<<"$names"
  [[ "$CDC_SCHEMA" =~ ^[a-z_]+\.[a-z_]+$ && -n "$CDC_SLOT" && -n "$CDC_PUBLICATION" ]] \
    || die "${CDC_SHARED_CONFIG#"$REPO_DIR"/} must name slot.name, publication.name and one schema.table in table.include.list (got '$names')"
  CDC_TABLE="${CDC_SCHEMA#*.}"
  CDC_SCHEMA="${CDC_SCHEMA%%.*}"
}

registry_connector_config() {
  HOST="$POSTGRES_HOST" PORT="$POSTGRES_PORT" DB="$STREAMLINE_DB" node -e '
    const config = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const local = {
      "database.hostname": process.env.HOST,
      "database.port": process.env.PORT,
      "database.password": "", // trust authentication on 127.0.0.1
      "database.dbname": process.env.DB,
    };
    // Without a heartbeat the slot only moves when the captured table changes (README, Choices).
    const heartbeat = config["heartbeat.interval.ms"] ? {} : {
      "heartbeat.interval.ms": "10000",
      "heartbeat.action.query": "SELECT pg_logical_emit_message(true, '"'"'streamline-heartbeat'"'"', now()::text)",
      "message.prefix.exclude.list": "streamline-heartbeat",
    };
    console.log(JSON.stringify({ ...config, ...local, ...heartbeat }, null, 2));
  ' "$CDC_SHARED_CONFIG"
}

registry_table_exists() {
  cdc_names
  [[ "$(pg_sql "$STREAMLINE_DB" "SELECT to_regclass('$CDC_SCHEMA.$CDC_TABLE') IS NOT NULL" 2>/dev/null)" == "t" ]]
}

# connector_state NAME -> "<connector state> <task states...>" (e.g. "RUNNING RUNNING"), empty if unknown.
connector_state() {
  connect_http GET "/connectors/$1/status" 2>/dev/null \
    | json '[j.connector.state, ...j.tasks.map(t => t.state)].join(" ")' 2>/dev/null || true
}

connector_trace() {
  connect_http GET "/connectors/$1/status" 2>/dev/null \
    | json '(j.tasks.find(t => t.trace) || j.connector).trace?.split("\n")[0]' 2>/dev/null | cut -c1-300 || true
}

# register_registry_connector: PUT the config only when it differs (a PUT restarts the connector),
# then wait until connector and task run.
register_registry_connector() {
  cdc_names
  local desired current same
  desired="$(registry_connector_config)"
  # 409 while the worker rebalances (e.g. right after a connector was deleted): ask again.
  for _ in $(seq 1 30); do
    current="$(connect_http GET "/connectors/$CDC_CONNECTOR/config" || true)"
    [[ "$HTTP_STATUS" == 200 || "$HTTP_STATUS" == 404 ]] && break
    sleep 1
  done
  if [[ "$HTTP_STATUS" == 200 ]]; then
    same="$(A="$desired" B="$current" node -e '
      const a = JSON.parse(process.env.A), b = JSON.parse(process.env.B); delete b.name;
      const norm = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
      console.log(norm(a) === norm(b) ? "yes" : "no");')"
  fi
  if [[ "${same:-no}" != "yes" ]]; then
    local _try
    for _try in $(seq 1 30); do
      connect_http PUT "/connectors/$CDC_CONNECTOR/config" "$desired" >"$CDATA/register.out" && break
      [[ "$HTTP_STATUS" == 409 || "$HTTP_STATUS" == 000 ]] || break
      sleep 1
    done
    [[ "$HTTP_STATUS" == 2* ]] \
      || die "registering connector $CDC_CONNECTOR failed (HTTP $HTTP_STATUS): $(head -c 300 "$CDATA/register.out")"
    log "cdc: registered connector $CDC_CONNECTOR ($CDC_SCHEMA.$CDC_TABLE -> cdc.$CDC_SCHEMA.$CDC_TABLE, slot $CDC_SLOT)"
  fi
  local state
  state="$(connector_state "$CDC_CONNECTOR")"
  for _ in $(seq 1 60); do
    [[ "$state" =~ ^RUNNING( RUNNING)+$ || "$state" == *FAILED* ]] && break
    sleep 1
    state="$(connector_state "$CDC_CONNECTOR")"
  done
  case "$state" in
    RUNNING\ RUNNING*) log "cdc: connector $CDC_CONNECTOR RUNNING ($CDC_SCHEMA.$CDC_TABLE -> cdc.$CDC_SCHEMA.$CDC_TABLE)" ;;
    *FAILED*) die "connector $CDC_CONNECTOR is FAILED: $(connector_trace "$CDC_CONNECTOR") (curl $(connect_url "/connectors/$CDC_CONNECTOR/status"))" ;;
    *) die "connector $CDC_CONNECTOR is not running after 60s (state: '${state:-unknown}'; curl $(connect_url "/connectors/$CDC_CONNECTOR/status"))" ;;
  esac
}

# Runs detached (started by `up` when the table does not exist yet): waits for event-producer's
# migrations to create registry.devices, then registers the connector. Bounded by CDC_REGISTER_WAIT.
cdc_register_when_ready() {
  cdc_names
  local deadline=$((SECONDS + CDC_REGISTER_WAIT))
  log "cdc: waiting up to ${CDC_REGISTER_WAIT}s for $STREAMLINE_DB.$CDC_SCHEMA.$CDC_TABLE"
  until registry_table_exists; do
    ((SECONDS < deadline)) || die "gave up after ${CDC_REGISTER_WAIT}s: $CDC_SCHEMA.$CDC_TABLE never appeared; run 'npm run infra:up' once event-producer has migrated"
    sleep 3
  done
  wait_for 60 connect_ready || die "Kafka Connect on 127.0.0.1:$CONNECT_PORT is not answering"
  register_registry_connector
  rm -f "$REGISTRAR_PID_FILE"
}

cdc_connector_up() {
  cdc_names
  if registry_table_exists; then
    register_registry_connector
    return 0
  fi
  local rpid
  rpid="$(registrar_pid)"
  if [[ -z "$rpid" ]]; then
    setsid bash "$INFRA_DIR/infra.sh" cdc-register-when-ready </dev/null >>"$CDATA/registrar.log" 2>&1 9>&- &
    echo $! >"$REGISTRAR_PID_FILE"
    rpid=$!
  fi
  log "cdc: $CDC_SCHEMA.$CDC_TABLE does not exist yet (event-producer creates it on its first start); connector $CDC_CONNECTOR will be registered then (registrar pid $rpid, log ${CDATA#"$REPO_DIR"/}/registrar.log)"
}

# ---------------------------------------------------------------------------------------------
# Replication slots left behind (a slot nobody reads holds WAL for ever)
# ---------------------------------------------------------------------------------------------

b36_ms_age_seconds() { # base-36 Date.now() -> age in seconds
  local ms=$((36#$1))
  echo $(($(date +%s) - ms / 1000))
}

drop_slot() { # drop_slot DATABASE SLOT
  local out
  out="$(pg_sql "$1" "SELECT pg_drop_replication_slot('$2') FROM pg_replication_slots WHERE slot_name = '$2' AND NOT active" 2>&1)" \
    && log "cdc: dropped replication slot $2 (database $1), left behind by an earlier run" \
    || log "cdc: WARNING: could not drop replication slot $2 (database $1): $(echo "$out" | head -n1)"
}

cdc_cleanup_left_behind() {
  cdc_names
  local name b36 age db slot test_slot_prefix="${CDC_TEST_PREFIX//-/_}" deleted=()
  # Test connectors of killed test runs (a finished test deletes its own).
  # GET /connectors is a JSON array of names (no quotes or commas inside a name).
  for name in $(connect_http GET /connectors 2>/dev/null | tr -d '[]"' | tr ',' ' ' || true); do
    [[ "$name" =~ ^${CDC_TEST_PREFIX}-([0-9a-z]+)-[0-9a-f]+$ ]] || continue
    age="$(b36_ms_age_seconds "${BASH_REMATCH[1]}")"
    ((age > CDC_TEST_MAX_AGE_SECONDS)) || continue
    if connect_http DELETE "/connectors/$name" >/dev/null; then
      log "cdc: deleted test connector $name, left behind ${age}s ago"
      deleted+=("${name//-/_}")
    fi
  done
  if ((${#deleted[@]} > 0)); then
    # Their tasks let go of the slots asynchronously.
    local list
    list="$(printf "'%s'," "${deleted[@]}")"
    wait_for 15 bash -c '[[ "$(psql -X -h "$1" -p "$2" -U postgres -d postgres -tAc "SELECT count(*) FROM pg_replication_slots WHERE active AND slot_name IN ($3)")" == 0 ]]' \
      _ "$POSTGRES_HOST" "$POSTGRES_PORT" "${list%,}" || log "cdc: WARNING: slots of deleted test connectors still active"
  fi
  while IFS='|' read -r slot db; do
    [[ -n "$slot" ]] || continue
    if [[ "$slot" =~ ^${test_slot_prefix}_([0-9a-z]+)_[0-9a-f]+$ ]]; then
      b36="${BASH_REMATCH[1]}"
      age="$(b36_ms_age_seconds "$b36")"
      if ((age > CDC_TEST_MAX_AGE_SECONDS)); then drop_slot "$db" "$slot"; fi
    elif [[ "$slot" == "$CDC_SLOT" ]]; then
      # The production slot with no connector for it (e.g. Kafka's data was wiped): its position
      # belongs to offsets that no longer exist; the connector re-snapshots into a new slot.
      if ! connect_http GET "/connectors/$CDC_CONNECTOR" >/dev/null 2>&1 && [[ "$HTTP_STATUS" == 404 ]]; then
        drop_slot "$db" "$slot"
      fi
    fi
  done < <(pg_sql postgres "SELECT slot_name || '|' || database FROM pg_replication_slots WHERE NOT active AND slot_type = 'logical'" 2>/dev/null || true)
  return 0
}

connect_up() {
  check_java
  connect_worker_up
  cdc_cleanup_left_behind
  cdc_connector_up
}

connect_status() { # prints the connect and cdc lines; returns 1 if the worker or connector is bad
  cdc_names
  local pid detail bad=0 versions
  pid="$(our_connect_pid)"
  versions="$(connect_versions)"
  if connect_answers; then
    if [[ -n "$pid" ]]; then detail="pid $pid, started by this checkout, Connect ${versions% *}, Debezium ${versions#* }"; else detail="not started by this checkout"; fi
    printf '%-10s %-5s %s\n' connect up "127.0.0.1:$CONNECT_PORT ($detail)"
  else
    printf '%-10s %-5s %s\n' connect down "127.0.0.1:$CONNECT_PORT"
    printf '%-10s %-5s %s\n' cdc down "connector $CDC_CONNECTOR: no worker"
    return 1
  fi
  local state rpid slot
  state="$(connector_state "$CDC_CONNECTOR")"
  slot="$(pg_sql postgres "SELECT CASE WHEN active THEN 'active' ELSE 'inactive' END || ', ' || pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) || ' WAL held' FROM pg_replication_slots WHERE slot_name = '$CDC_SLOT'" 2>/dev/null || true)"
  rpid="$(registrar_pid)"
  if [[ "$state" =~ ^RUNNING( RUNNING)+$ ]]; then
    printf '%-10s %-5s %s\n' cdc up "connector $CDC_CONNECTOR RUNNING -> cdc.$CDC_SCHEMA.$CDC_TABLE (slot $CDC_SLOT: ${slot:-missing})"
  elif [[ -z "$state" && -n "$rpid" ]]; then
    printf '%-10s %-5s %s\n' cdc wait "connector $CDC_CONNECTOR registers when $CDC_SCHEMA.$CDC_TABLE exists (registrar pid $rpid)"
  elif [[ -z "$state" ]]; then
    printf '%-10s %-5s %s\n' cdc down "connector $CDC_CONNECTOR not registered (run up)"; bad=1
  else
    printf '%-10s %-5s %s\n' cdc down "connector $CDC_CONNECTOR: $state $(connector_trace "$CDC_CONNECTOR")"; bad=1
  fi
  return "$bad"
}
