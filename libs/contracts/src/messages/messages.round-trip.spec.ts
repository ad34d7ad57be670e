import fc from 'fast-check';
import { MIN_EPOCH_MS } from '../common/timestamp';
import { type Contract, parseJson, validate } from '../contract';
import { CONTRACTS } from '../contract-registry';
import { alertContract, alertIdOf } from './alert/alert.schema';
import { cdcEnvelopeContract, deviceChangeContract } from './cdc-envelope/cdc-envelope.schema';
import {
  devicePresenceContract,
  deviceStatusContract,
} from './device-presence/device-presence.schema';
import {
  deviceContract,
  deviceCreateInputContract,
  deviceUpdateInputContract,
} from './device/device.schema';
import { lateReadingContract } from './late-reading/late-reading.schema';
import {
  telemetryWindow5mContract,
  telemetryWindowContract,
  TELEMETRY_WINDOW_MS,
  windowIdOf,
} from './telemetry-window/telemetry-window.schema';
import { telemetryContract, telemetryReadingContract } from './telemetry/telemetry.schema';
import {
  userActivityContract,
  userActivityInputContract,
} from './user-activity/user-activity.schema';
import { sessionIdOf, userSessionContract } from './user-session/user-session.schema';

// ---------------------------------------------------------------- arbitraries of valid messages

const epochMs = fc.integer({ min: MIN_EPOCH_MS, max: Date.UTC(9000, 0, 1) });
/** Any accepted form of a timestamp: epoch ms, its digit string, or ISO-8601 UTC. */
const anyTimestamp = epochMs.chain((ms) =>
  fc.constantFrom<number | string>(ms, String(ms), new Date(ms).toISOString()),
);
const deviceId = fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/);
// `__proto__` keys are dropped by the parser (never become a prototype), so they are not "valid".
const key = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).filter((k) => k !== '__proto__');
const eventType = fc.stringMatching(/^[A-Za-z0-9_:-]{1,64}$/).filter((k) => k !== '__proto__');
const userId = fc.stringMatching(/^\S{1,256}$/);
// JSON cannot tell -0 from 0, so a -0 would not survive the trip on the wire either.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n));
const moderate = fc.double({ noNaN: true, min: -1e9, max: 1e9 }).map((n) => (n === 0 ? 0 : n));
const text = (max: number) =>
  fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim() !== '');
const metrics = fc.dictionary(key, finite, { minKeys: 1, maxKeys: 8 });
const source = fc.record({ connector: fc.constant('postgresql'), table: fc.constant('devices') });

const threshold = fc
  .tuple(fc.option(moderate, { nil: undefined }), fc.option(moderate, { nil: undefined }))
  .filter(([min, max]) => min !== undefined || max !== undefined)
  .map(([a, b]) => {
    const [min, max] = a !== undefined && b !== undefined && a > b ? [b, a] : [a, b];
    return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
  });
const thresholds = fc.dictionary(key, threshold, { maxKeys: 4 });

const deviceFields = fc.record(
  { id: deviceId, name: text(200), type: text(64), location: text(200), thresholds },
  { requiredKeys: ['id', 'name', 'type'] },
);
const createdUpdated = fc
  .tuple(epochMs, fc.nat({ max: 1e9 }))
  .map(([created, delta]) => ({ createdAt: created, updatedAt: created + delta }));
const device = fc.tuple(deviceFields, createdUpdated).map(([d, t]) => ({ ...d, ...t }));
const deviceRowSnake = fc.tuple(deviceFields, createdUpdated).map(([d, t]) => ({
  ...d,
  thresholds: JSON.stringify(d.thresholds ?? {}),
  created_at: new Date(t.createdAt).toISOString(),
  updated_at: new Date(t.updatedAt).toISOString(),
}));

const windowOf = (sizeMs: number) =>
  fc
    .tuple(
      deviceId,
      epochMs.map((ms) => ms - (ms % TELEMETRY_WINDOW_MS)),
      fc.dictionary(key, fc.array(moderate, { minLength: 1, maxLength: 20 }), {
        minKeys: 1,
        maxKeys: 5,
      }),
    )
    .map(([id, start, values]) => ({
      windowId: windowIdOf(id, start, sizeMs),
      deviceId: id,
      windowStart: start,
      windowEnd: start + sizeMs,
      count: Math.max(...Object.values(values).map((v) => v.length)),
      metrics: Object.fromEntries(
        Object.entries(values).map(([name, v]) => {
          const sum = v.reduce((a, b) => a + b, 0);
          return [name, { min: Math.min(...v), max: Math.max(...v), sum, avg: sum / v.length }];
        }),
      ),
    }));

const session = fc
  .tuple(
    userId,
    epochMs,
    fc.nat({ max: 86_400_000 }),
    fc.dictionary(eventType, fc.integer({ min: 1, max: 50 }), { minKeys: 1, maxKeys: 5 }),
  )
  .map(([user, start, length, types]) => ({
    sessionId: sessionIdOf(user, start),
    userId: user,
    sessionStart: start,
    sessionEnd: start + length,
    eventCount: Object.values(types).reduce((a, b) => a + b, 0),
    types,
  }));

const alert = fc
  .record({
    deviceId,
    rule: fc.constantFrom('threshold.max', 'threshold.min'),
    metric: key,
    value: finite,
    threshold: finite,
    windowStart: epochMs,
  })
  .map((a) => ({ ...a, windowEnd: a.windowStart + TELEMETRY_WINDOW_MS, alertId: alertIdOf(a) }));

/** JSON as it arrives off the wire (fc.jsonValue may hold a -0 that JSON cannot carry). */
const wireJson = (maxDepth: number) =>
  fc.jsonValue({ maxDepth }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const properties = fc.dictionary(
  fc.string().filter((k) => k !== '__proto__'),
  wireJson(2),
  {
    maxKeys: 4,
  },
);

const arbitraries: Record<string, fc.Arbitrary<unknown>> = {
  [telemetryReadingContract.schemaId]: fc.record(
    { deviceId, ts: anyTimestamp, seq: fc.nat(), metrics },
    { requiredKeys: ['ts', 'metrics'] },
  ),
  [telemetryContract.schemaId]: fc.record(
    { deviceId, ts: epochMs, seq: fc.nat(), metrics, ingestedAt: epochMs },
    { requiredKeys: ['deviceId', 'ts', 'metrics', 'ingestedAt'] },
  ),
  [userActivityInputContract.schemaId]: fc.record(
    { eventId: fc.uuid({ version: 4 }), userId, type: eventType, ts: anyTimestamp, properties },
    { requiredKeys: ['userId', 'type', 'ts'] },
  ),
  [userActivityContract.schemaId]: fc.record(
    { eventId: fc.uuid({ version: 4 }), userId, type: eventType, ts: epochMs, properties },
    { requiredKeys: ['eventId', 'userId', 'type', 'ts'] },
  ),
  [deviceCreateInputContract.schemaId]: deviceFields,
  [deviceUpdateInputContract.schemaId]: fc
    .record(
      {
        name: text(200),
        type: text(64),
        location: fc.option(text(200), { nil: null }),
        thresholds: fc.option(thresholds, { nil: null }),
      },
      { requiredKeys: [] },
    )
    .filter((u) => Object.keys(u).length > 0),
  [deviceContract.schemaId]: device,
  [deviceChangeContract.schemaId]: fc.oneof(
    fc.record({
      before: fc.constant(null),
      after: deviceRowSnake,
      op: fc.constantFrom('c', 'r'),
      source,
      ts_ms: epochMs,
    }),
    fc.record({ before: device, after: device, op: fc.constant('u'), source, ts_ms: epochMs }),
    fc.record({
      before: deviceId.map((id) => ({ id })),
      after: fc.constant(null),
      op: fc.constant('d'),
      source,
      ts_ms: epochMs,
    }),
    // The same event inside Kafka Connect's JSON converter framing.
    fc
      .record({
        before: fc.constant(null),
        after: device,
        op: fc.constant('c'),
        source,
        ts_ms: epochMs,
      })
      .map((payload) => ({
        schema: { type: 'struct', name: 'cdc.registry.devices.Envelope' },
        payload,
      })),
  ),
  [cdcEnvelopeContract.schemaId]: fc.record({
    before: fc.constant(null),
    after: fc.dictionary(key, wireJson(1)),
    op: fc.constantFrom('c', 'r', 'u'),
    source,
    ts_ms: epochMs,
  }),
  [telemetryWindowContract.schemaId]: windowOf(TELEMETRY_WINDOW_MS),
  [telemetryWindow5mContract.schemaId]: windowOf(5 * TELEMETRY_WINDOW_MS),
  [lateReadingContract.schemaId]: fc
    .record({
      deviceId,
      ts: epochMs,
      metrics,
      ingestedAt: epochMs,
      lag: fc.nat({ max: 3_600_000 }),
    })
    .map(({ lag, ...reading }) => {
      const windowStart = reading.ts - (reading.ts % TELEMETRY_WINDOW_MS);
      const windowEnd = windowStart + TELEMETRY_WINDOW_MS;
      return {
        reading,
        windowStart,
        windowEnd,
        streamTime: windowEnd + lag,
        reason: 'window-closed',
      };
    }),
  [userSessionContract.schemaId]: session,
  [alertContract.schemaId]: alert,
  [devicePresenceContract.schemaId]: fc.record({
    deviceId,
    status: fc.constantFrom('online', 'offline'),
    lastSeen: epochMs,
  }),
  [deviceStatusContract.schemaId]: fc.record({ status: fc.constantFrom('online', 'offline') }),
};

// ---------------------------------------------------------------- properties

describe('every message kind round-trips: parse → JSON.stringify → parse gives the same value', () => {
  it('has an arbitrary for every contract', () => {
    expect(Object.keys(arbitraries).sort()).toEqual(CONTRACTS.map((c) => c.schemaId).sort());
  });

  it.each(CONTRACTS.map((c) => [c.schemaId, c] as const))('%s', (schemaId, contract: Contract) => {
    const arbitrary = arbitraries[schemaId];
    if (!arbitrary) throw new Error(`no arbitrary for ${schemaId}`);
    fc.assert(
      fc.property(arbitrary, (message) => {
        const first = validate(contract, message);
        if (!first.ok)
          throw new Error(`valid ${schemaId} rejected: ${JSON.stringify(first.issues)}`);
        const second = parseJson(contract, Buffer.from(JSON.stringify(first.value), 'utf8'));
        expect(second).toEqual({ ok: true, value: first.value });
      }),
      { numRuns: 200 },
    );
  });

  it('normalises every timestamp form of the input variants to epoch ms', () => {
    fc.assert(
      fc.property(epochMs, (ms) => {
        for (const ts of [ms, String(ms), new Date(ms).toISOString()]) {
          const reading = validate(telemetryReadingContract, { ts, metrics: { t: 1 } });
          expect(reading).toEqual({ ok: true, value: { ts: ms, metrics: { t: 1 } } });
        }
      }),
    );
  });
});
