import fc from 'fast-check';
import {
  DEVICE_ID_PATTERN,
  DeviceTelemetry,
  deviceIdFor,
  INVALID_TELEMETRY_KINDS,
  invalidTelemetryPayloadOfKind,
  statusTopic,
  TelemetryStream,
  telemetryTopic,
  type TelemetryReading,
} from './telemetry-generator';
import { telemetryPayloadProblems, telemetryProblems } from './test-support/contract-checks';
import { seededRandom } from './test-support/seeded-random';

const T0 = Date.UTC(2026, 0, 1);
const prefixArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/);

describe('device ids and topics', () => {
  it('numbers devices from 0001 and keeps to the contract pattern for any valid prefix', () => {
    expect(deviceIdFor('sim-device', 0)).toBe('sim-device-0001');
    expect(deviceIdFor('sim-device', 41)).toBe('sim-device-0042');
    fc.assert(
      fc.property(prefixArb, fc.integer({ min: 0, max: 4_999 }), (prefix, index) => {
        expect(deviceIdFor(prefix, index)).toMatch(DEVICE_ID_PATTERN);
      }),
    );
  });

  it('uses the topics of the ingestor subscription', () => {
    expect(telemetryTopic('sim-device-0001')).toBe('sensors/sim-device-0001/telemetry');
    expect(statusTopic('sim-device-0001')).toBe('sensors/sim-device-0001/status');
  });
});

describe('DeviceTelemetry', () => {
  it('produces contract-valid readings with seq +1 each and ts alternating ISO / epoch ms', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 300 }), (seed, count) => {
        const device = new DeviceTelemetry('sim-device-0007', seededRandom(seed));
        const readings = Array.from({ length: count }, (_, i) => device.next(T0 + i * 400));
        const problems = readings.flatMap((reading, i) => {
          const found = telemetryProblems(reading, 'sim-device-0007');
          if (reading.deviceId !== 'sim-device-0007') found.push('deviceId');
          if (reading.seq !== i + 1) found.push(`seq ${reading.seq} at ${i}`);
          const now = T0 + i * 400;
          if (reading.ts !== (reading.seq % 2 === 1 ? new Date(now).toISOString() : now))
            found.push('ts');
          if (Object.keys(reading.metrics).sort().join() !== 'battery,humidity,temperature')
            found.push('metrics');
          return found;
        });
        expect(problems).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  it('keeps metrics plausible and spikes temperature above 30 now and then', () => {
    const device = new DeviceTelemetry('sim-device-0001', seededRandom(42));
    const readings = Array.from({ length: 5_000 }, (_, i) => device.next(T0 + i * 1_000));
    const temperatures = readings.map((r) => r.metrics.temperature);
    const spikes = temperatures.filter((t) => t > 30).length;
    expect(spikes).toBeGreaterThan(20);
    expect(spikes).toBeLessThan(1_000);
    const implausible = readings.filter(
      ({ metrics: m }) =>
        m.temperature < 10 ||
        m.temperature > 39 ||
        m.humidity < 5 ||
        m.humidity > 95 ||
        m.battery <= 0 ||
        m.battery > 100,
    );
    expect(implausible).toEqual([]);
    // A random walk: consecutive non-spike values stay close.
    const jumps = temperatures.filter((b, i) => {
      const a = temperatures[i - 1];
      return a !== undefined && a <= 30 && b <= 30 && Math.abs(a - b) >= 1.5;
    });
    expect(jumps).toEqual([]);
  });

  it('spreads a batch back in time, oldest first', () => {
    const device = new DeviceTelemetry('sim-device-0002', seededRandom(1));
    const batch = device.nextBatch(4, T0, 250);
    expect(batch.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(batch.map((r) => (typeof r.ts === 'number' ? r.ts : Date.parse(r.ts)))).toEqual([
      T0 - 750,
      T0 - 500,
      T0 - 250,
      T0,
    ]);
  });
});

describe('invalid telemetry', () => {
  it.each(INVALID_TELEMETRY_KINDS)('a %s payload breaks the contract', (kind) => {
    const payload = invalidTelemetryPayloadOfKind(kind, 'sim-device-0003', T0);
    expect(telemetryPayloadProblems(payload, 'sim-device-0003')).not.toEqual([]);
  });
});

describe('TelemetryStream', () => {
  it('gives each device its turn', () => {
    const stream = new TelemetryStream(['a', 'b', 'c'], { batch: 1, badRatio: 0, periodMs: 100 });
    expect(Array.from({ length: 7 }, () => stream.nextDevice())).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it('makes the requested share of messages invalid, and only those', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 400 }),
        (seed, badRatio, deviceCount, batch, messages) => {
          const deviceIds = Array.from({ length: deviceCount }, (_, i) => deviceIdFor('prop', i));
          const stream = new TelemetryStream(deviceIds, {
            batch,
            badRatio,
            periodMs: 200,
            random: seededRandom(seed),
          });
          const lastSeq = new Map<string, number>();
          const problems: string[] = [];
          let invalid = 0;
          for (let i = 0; i < messages; i += 1) {
            const deviceId = stream.nextDevice();
            const message = stream.message(deviceId, T0 + i * 10);
            const found = telemetryPayloadProblems(message.payload, deviceId);
            if (message.invalid) {
              invalid += 1;
              if (found.length === 0)
                problems.push(`flagged invalid but valid: ${message.payload}`);
              if (message.readings !== 0) problems.push('invalid message counts readings');
              continue;
            }
            problems.push(...found);
            const parsed: unknown = JSON.parse(message.payload);
            if (Array.isArray(parsed) !== batch > 1) problems.push('array only for batches');
            const readings = (batch === 1 ? [parsed] : parsed) as TelemetryReading[];
            if (readings.length !== batch || message.readings !== batch)
              problems.push('batch size');
            for (const reading of readings) {
              if (reading.seq !== (lastSeq.get(deviceId) ?? 0) + 1)
                problems.push(`seq gap at ${reading.seq}`);
              lastSeq.set(deviceId, reading.seq);
            }
          }
          expect(problems).toEqual([]);
          expect(Math.abs(invalid - messages * badRatio)).toBeLessThan(1);
        },
      ),
    );
  });
});
