import { HEADERS } from '@streamline/contracts';
import { waitFor } from '@streamline/testing';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { AggregatorEngine } from '../src/pipeline/aggregator-engine';
import {
  committed,
  committedOffsetTotal,
  committedWindows,
  expectedWindows,
  MINUTE,
  sendFlush,
  sendReadings,
  startEngineSuite,
  type EngineSuite,
  type SuiteNames,
  withoutFlush,
  type Reading,
} from './support/aggregator-test-kit';

/** Readings of 12 devices over 9 minutes, integer values (exact sums), in event-time order. */
function readingsFrom(base: number): Reading[] {
  const readings: Reading[] = [];
  for (let i = 0; i < 600; i++) {
    readings.push({
      deviceId: `dev-${i % 12}`,
      ts: base + i * 900 + (i % 7),
      metrics: i % 5 === 0 ? { t: (i * 37) % 101 } : { t: (i * 13) % 97, h: i % 50 },
    });
  }
  return readings;
}

describe('aggregator windows against real Kafka', () => {
  const base = Math.floor((Date.now() - 60 * MINUTE) / MINUTE) * MINUTE;
  let suite: EngineSuite;
  let names: SuiteNames;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let engine: AggregatorEngine;

  beforeAll(async () => {
    suite = await startEngineSuite('windows');
    ({ names, kafka, admin, producer, engine } = suite);
  });

  afterAll(() => suite?.stop());

  it('publishes exactly the expected 1-minute and 5-minute windows, each once, then late readings and dead letters', async () => {
    const readings = readingsFrom(base);
    await sendReadings(producer, names.telemetry, readings);
    await sendFlush(producer, names.telemetry, base + 30 * MINUTE);
    const total = readings.length + 3;
    await waitFor(
      async () =>
        (await committedOffsetTotal(admin, names.groupId, names.telemetry)) === total
          ? true
          : undefined,
      {
        what: 'every reading committed',
      },
    );
    expect(withoutFlush(await committedWindows(kafka, admin, names.windows1m))).toEqual(
      expectedWindows(readings, MINUTE, MINUTE),
    );
    expect(withoutFlush(await committedWindows(kafka, admin, names.windows5m))).toEqual(
      expectedWindows(readings, 5 * MINUTE, MINUTE),
    );

    // A reading for a closed window and one bad record: neither changes a window, neither is lost.
    const late: Reading = { deviceId: 'dev-1', ts: base + 30_000, metrics: { t: 1_000 } };
    await sendReadings(producer, names.telemetry, [late]);
    await producer.send({
      topic: names.telemetry,
      messages: [{ key: 'dev-1', value: '{"deviceId":' }],
    });
    await waitFor(
      async () =>
        (await committedOffsetTotal(admin, names.groupId, names.telemetry)) === total + 2
          ? true
          : undefined,
      {
        what: 'the late and the bad record committed',
      },
    );
    const lateRecords = (await committed(kafka, admin, names.late)).map(
      (r) => JSON.parse(r.value) as Record<string, unknown>,
    );
    // The 1-minute window it missed and the five 5-minute windows that held it, all closed.
    expect(lateRecords.map((l) => [l['windowStart'], l['windowEnd']])).toEqual([
      [base, base + MINUTE],
      ...[4, 3, 2, 1, 0].map((k) => [base - k * MINUTE, base + (5 - k) * MINUTE]),
    ]);
    for (const record of lateRecords) {
      expect(record).toMatchObject({
        reason: 'window-closed',
        reading: { ...late, ingestedAt: late.ts },
      });
    }
    expect(lateRecords[0]?.['streamTime']).toBe(base + 30 * MINUTE);
    const dlq = await committed(kafka, admin, `${names.telemetry}.dlq`);
    expect(
      dlq.map((r) => [
        r.value,
        r.headers[HEADERS.DLQ_ERROR_CLASS],
        r.headers[HEADERS.DLQ_ORIGIN_TOPIC],
      ]),
    ).toEqual([['{"deviceId":', 'ContractViolationError', names.telemetry]]);
    // Still exactly the same windows: the late reading reopened nothing.
    expect(withoutFlush(await committedWindows(kafka, admin, names.windows1m))).toEqual(
      expectedWindows(readings, MINUTE, MINUTE),
    );
    expect(engine.lateCount).toBe(1);
  });
});
