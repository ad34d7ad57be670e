import {
  alertContract,
  telemetryWindowContract,
  userSessionContract,
  type Alert,
  type TelemetryWindow,
  type UserSession,
} from '@streamline/contracts';
import {
  defineSinkTopic,
  type SinkRecord,
  type SinkTopic,
  type SqlClient,
} from '@streamline/messaging';
import type { CdcSinkConfig } from '../config/cdc-sink.config';
import { writeDeviceChanges } from './device-changes';
import { contractDecoder, decodeDeviceChange, type Decoded } from './sink-decoders';
import { TableWriter, type RowValues, type TableSpec, type WriteMode } from './table-writer';

/**
 * THE mapping from inputs to tables: every table of the `analytics` schema the sink writes, its
 * columns and key, and (in `sinkTopics`) which topic feeds it. Adding a topic means one entry
 * here and one migration.
 */
export const SINK_TABLES = {
  devices: {
    table: 'analytics.devices',
    columns: [
      { name: 'id', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'type', type: 'text' },
      { name: 'location', type: 'text' },
      { name: 'thresholds', type: 'jsonb' },
      { name: 'created_at', type: 'timestamptz' },
      { name: 'updated_at', type: 'timestamptz' },
      { name: 'source_lsn', type: 'bigint' },
      { name: 'extra', type: 'jsonb' },
    ],
    key: ['id'],
    onConflict: 'update',
    // The LSN guard: an older change (a replay, a reordering) never overwrites a newer one...
    updateWhere: 't."source_lsn" < EXCLUDED."source_lsn"',
    // ...and never brings back a device deleted at a later position.
    insertWhere:
      'NOT EXISTS (SELECT 1 FROM "analytics"."device_tombstones" d WHERE d."id" = v."id" AND d."source_lsn" >= v."source_lsn")',
  },
  telemetry1m: {
    table: 'analytics.telemetry_1m',
    columns: [
      { name: 'device_id', type: 'text' },
      { name: 'window_start', type: 'timestamptz' },
      { name: 'window_end', type: 'timestamptz' },
      { name: 'count', type: 'integer' },
      { name: 'metrics', type: 'jsonb' },
      { name: 'window_id', type: 'text' },
      { name: 'extra', type: 'jsonb' },
    ],
    key: ['device_id', 'window_start'],
    onConflict: 'update',
  },
  userSessions: {
    table: 'analytics.user_sessions',
    columns: [
      { name: 'session_id', type: 'text' },
      { name: 'user_id', type: 'text' },
      { name: 'session_start', type: 'timestamptz' },
      { name: 'session_end', type: 'timestamptz' },
      { name: 'event_count', type: 'integer' },
      { name: 'types', type: 'jsonb' },
      { name: 'extra', type: 'jsonb' },
    ],
    key: ['session_id'],
    onConflict: 'update',
  },
  alerts: {
    table: 'analytics.alerts',
    columns: [
      { name: 'alert_id', type: 'text' },
      { name: 'device_id', type: 'text' },
      { name: 'rule', type: 'text' },
      { name: 'metric', type: 'text' },
      { name: 'value', type: 'double precision' },
      { name: 'threshold', type: 'double precision' },
      { name: 'window_start', type: 'timestamptz' },
      { name: 'window_end', type: 'timestamptz' },
      { name: 'extra', type: 'jsonb' },
    ],
    key: ['alert_id'],
    // An alert is a fact: a duplicate (re-published, redelivered) keeps the first row.
    onConflict: 'ignore',
  },
} as const satisfies Record<string, TableSpec>;

/** The offsets table of the exactly-once effect. */
export const OFFSETS_TABLE = 'analytics.kafka_offsets';

/** ISO-8601 texts of recent instants: window bounds repeat across every device of a minute. */
const isoTexts = new Map<number, string>();
const ISO_TEXTS_KEPT = 4_096;
function iso(ms: number): string {
  let text = isoTexts.get(ms);
  if (text === undefined) {
    if (isoTexts.size >= ISO_TEXTS_KEPT) isoTexts.clear();
    text = new Date(ms).toISOString();
    isoTexts.set(ms, text);
  }
  return text;
}
const json = (value: unknown) =>
  value === null || value === undefined ? null : JSON.stringify(value);

export function telemetryWindowRow({ value: w, extra }: Decoded<TelemetryWindow>): RowValues {
  return [
    w.deviceId,
    iso(w.windowStart),
    iso(w.windowEnd),
    w.count,
    json(w.metrics),
    w.windowId,
    json(extra),
  ];
}

export function userSessionRow({ value: s, extra }: Decoded<UserSession>): RowValues {
  return [
    s.sessionId,
    s.userId,
    iso(s.sessionStart),
    iso(s.sessionEnd),
    s.eventCount,
    json(s.types),
    json(extra),
  ];
}

export function alertRow({ value: a, extra }: Decoded<Alert>): RowValues {
  return [
    a.alertId,
    a.deviceId,
    a.rule,
    a.metric,
    a.value,
    a.threshold,
    iso(a.windowStart),
    iso(a.windowEnd),
    json(extra),
  ];
}

/** Upserts the last record per key (ON CONFLICT cannot touch one row twice in a statement). */
function upsertLatest<T>(
  writer: TableWriter,
  keyOf: (value: T) => string,
  rowOf: (d: Decoded<T>) => RowValues,
) {
  return async (client: SqlClient, records: readonly SinkRecord<Decoded<T>>[]): Promise<void> => {
    const latest = new Map<string, Decoded<T>>();
    for (const record of records) latest.set(keyOf(record.value.value), record.value);
    await writer.write(client, [...latest.values()].map(rowOf));
  };
}

/** The Kafka topics the sink consumes and how each is written (names from the configuration). */
export function sinkTopics(
  config: CdcSinkConfig,
  mode: WriteMode = config.CDC_SINK_WRITE_MODE,
): SinkTopic[] {
  const devices = new TableWriter(SINK_TABLES.devices, mode);
  const windows = new TableWriter(SINK_TABLES.telemetry1m, mode);
  const sessions = new TableWriter(SINK_TABLES.userSessions, mode);
  return [
    defineSinkTopic({
      topic: config.CDC_SINK_DEVICES_TOPIC,
      decode: decodeDeviceChange,
      write: (client, records) => writeDeviceChanges(client, devices, records),
    }),
    defineSinkTopic({
      topic: config.CDC_SINK_TELEMETRY_1M_TOPIC,
      decode: contractDecoder(
        telemetryWindowContract,
        Object.keys(telemetryWindowContract.schema.shape),
      ),
      write: upsertLatest(
        windows,
        (w: TelemetryWindow) => `${w.deviceId}|${w.windowStart}`,
        telemetryWindowRow,
      ),
    }),
    defineSinkTopic({
      topic: config.CDC_SINK_USER_SESSIONS_TOPIC,
      decode: contractDecoder(userSessionContract, Object.keys(userSessionContract.schema.shape)),
      write: upsertLatest(sessions, (s: UserSession) => s.sessionId, userSessionRow),
    }),
  ];
}

/** The alert decoder and writer (alerts come from JetStream, not Kafka, into the same kind of table). */
export function alertSink(mode: WriteMode) {
  const writer = new TableWriter(SINK_TABLES.alerts, mode);
  return {
    knownFields: Object.keys(alertContract.schema.shape),
    write: (client: SqlClient, alerts: readonly Decoded<Alert>[]) =>
      writer.write(client, alerts.map(alertRow)),
  };
}
