import { deviceIdOfChange } from '@streamline/contracts';
import type { SinkRecord, SqlClient } from '@streamline/messaging';
import type { DecodedDeviceChange } from './sink-decoders';
import type { RowValues, TableWriter } from './table-writer';

/** What a batch does to one device, after folding its changes. */
export type DeviceEffect =
  | { kind: 'upsert'; id: string; lsn: bigint; row: RowValues }
  | { kind: 'delete'; id: string; lsn: bigint };

/**
 * Folds a batch of change events into one effect per device: the change with the highest LSN
 * wins (ties: the later record, i.e. a replay of the same event changes nothing). Order in the
 * batch does not matter, which is what lets replays and reordered deliveries be applied as is.
 */
export function foldDeviceChanges(
  records: readonly SinkRecord<DecodedDeviceChange>[],
): DeviceEffect[] {
  const latest = new Map<string, DeviceEffect>();
  for (const { value: decoded } of records) {
    const change = decoded.value;
    const id = deviceIdOfChange(change);
    if (id === undefined) continue;
    const current = latest.get(id);
    if (current && current.lsn > decoded.lsn) continue;
    if (change.op === 'd' || change.after === null) {
      latest.set(id, { kind: 'delete', id, lsn: decoded.lsn });
      continue;
    }
    const d = change.after;
    latest.set(id, {
      kind: 'upsert',
      id,
      lsn: decoded.lsn,
      row: [
        d.id,
        d.name,
        d.type,
        d.location ?? null,
        d.thresholds === null || d.thresholds === undefined ? null : JSON.stringify(d.thresholds),
        new Date(d.createdAt).toISOString(),
        new Date(d.updatedAt).toISOString(),
        decoded.lsn.toString(),
        decoded.extra === null ? null : JSON.stringify(decoded.extra),
      ],
    });
  }
  return [...latest.values()];
}

/**
 * Deletes a row only if it is older than the delete, and records the delete's position in
 * `device_tombstones` (kept at the highest position seen) so an older create replayed later is
 * refused by the insert guard of `SINK_TABLES.devices`.
 */
const DELETE_SQL = `
  WITH d AS (SELECT * FROM unnest($1::text[], $2::bigint[]) AS d(id, source_lsn)),
  removed AS (
    DELETE FROM "analytics"."devices" x USING d WHERE x."id" = d.id AND x."source_lsn" < d.source_lsn
  )
  INSERT INTO "analytics"."device_tombstones" AS t ("id", "source_lsn")
  SELECT id, source_lsn FROM d
  ON CONFLICT ("id") DO UPDATE SET "source_lsn" = EXCLUDED."source_lsn", "deleted_at" = now()
  WHERE t."source_lsn" < EXCLUDED."source_lsn"`;

/** Applies a batch of `cdc.registry.devices` changes to `analytics.devices` in the caller's transaction. */
export async function writeDeviceChanges(
  client: SqlClient,
  devices: TableWriter,
  records: readonly SinkRecord<DecodedDeviceChange>[],
): Promise<void> {
  const effects = foldDeviceChanges(records);
  const upserts: RowValues[] = [];
  const deletes: { id: string; lsn: bigint }[] = [];
  for (const effect of effects) {
    if (effect.kind === 'upsert') upserts.push(effect.row);
    else deletes.push(effect);
  }
  await devices.write(client, upserts);
  if (deletes.length > 0) {
    await client.query(DELETE_SQL, [
      deletes.map((d) => d.id),
      deletes.map((d) => d.lsn.toString()),
    ]);
  }
}
