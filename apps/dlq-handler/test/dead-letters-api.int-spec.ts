import { HEADERS, dlqReceivedSubject } from '@streamline/contracts';
import type { RunningTestService } from '@streamline/testing';
import { waitFor } from '@streamline/testing';
import { connect, type NatsConnection } from 'nats';
import { TEST_ENV } from '@streamline/testing';
import { DlqHarness, dlqHeaders, http, storedLetters } from './support/dlq-harness';

const INVALID_UTF8 = Buffer.from([0xc3, 0x28, 0xa0, 0xa1]);
const BINARY = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x00]);

describe('dead-letter store and API (real Kafka, NATS, Postgres)', () => {
  let h: DlqHarness;
  let service: RunningTestService;
  let nc: NatsConnection;
  let origin: string;
  const announced: string[] = [];

  beforeAll(async () => {
    h = await DlqHarness.create({ DLQ_MAX_REPLAYS: '2' });
    origin = h.name('orders');
    await h.createTopics([origin, `${origin}.dlq`]);
    nc = await connect({ servers: TEST_ENV.natsUrl });
    const sub = nc.subscribe(dlqReceivedSubject(origin));
    void (async () => {
      for await (const m of sub) announced.push(JSON.parse(m.string()).id);
    })();
    // Written before the service ever ran: its new group starts from the earliest offset.
    await h.produce(`${origin}.dlq`, [
      {
        key: 'k-json',
        value: '{"orderId":"o-1","qty":2}',
        headers: dlqHeaders(origin, { 'x-trace': 't-1' }),
      },
      { key: Buffer.from([0xfe, 0x01]), value: INVALID_UTF8, headers: dlqHeaders(origin) },
      {
        key: 'k-bin',
        value: BINARY,
        headers: { ...dlqHeaders(origin), 'x-bin': Buffer.from([0xff, 0x00]) },
      },
      { key: 'k-empty', value: Buffer.alloc(0), headers: dlqHeaders(origin) },
      {
        key: 'k-null',
        value: null,
        headers: dlqHeaders(origin, { [HEADERS.DLQ_SERVICE]: 'other-service' }),
      },
    ]);
    service = await h.start();
  });

  afterAll(async () => {
    await nc?.close();
    await h?.cleanup();
  });

  it('stores every dead letter once with its exact bytes and headers, and announces it on NATS', async () => {
    const items = await storedLetters(service, origin, 5);
    expect(items).toHaveLength(5);
    const byKey = new Map(items.map((i) => [i.key, i]));
    const json = byKey.get('k-json');
    expect(json).toMatchObject({
      originTopic: origin,
      originPartition: 0,
      originOffset: '17',
      originTimestamp: new Date(1_700_000_000_000).toISOString(),
      value: { orderId: 'o-1', qty: 2 },
      service: 'it-service',
      errorClass: 'ContractViolationError',
      errorMessage: 'ts: required',
      attempts: 1,
      status: 'new',
      replayCount: 0,
    });
    expect(json.headers['x-trace']).toBe('t-1');
    expect(json.headers[HEADERS.DLQ_ORIGIN_TOPIC]).toBe(origin);
    const invalid = items.find((i) => i.valueBase64 === INVALID_UTF8.toString('base64'));
    expect(invalid?.value).toBeNull();
    expect(byKey.get('k-bin')?.valueBase64).toBe(BINARY.toString('base64'));
    expect(byKey.get('k-empty')?.valueBase64).toBe('');
    expect(byKey.get('k-null')?.valueBase64).toBeNull();
    await waitFor(() => (announced.length >= 5 ? true : undefined), { what: 'announcements' });
    expect(new Set(announced)).toEqual(new Set(items.map((i) => i.id)));
    const one = await http(service, 'GET', `/dead-letters/${json.id}`);
    expect(one.body).toEqual(json);
  });

  it('filters, and pages with a cursor that stays stable while dead letters arrive', async () => {
    const byService = await http(
      service,
      'GET',
      `/dead-letters?topic=${origin}&service=other-service`,
    );
    expect(byService.body.items.map((i: { key: string }) => i.key)).toEqual(['k-null']);
    const first = await http(service, 'GET', `/dead-letters?topic=${origin}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    // A dead letter arriving between pages does not shift the pages after the cursor.
    await h.produce(`${origin}.dlq`, [{ key: 'k-late', value: '{}', headers: dlqHeaders(origin) }]);
    await storedLetters(service, origin, 6);
    const seen = [...first.body.items];
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await http(
        service,
        'GET',
        `/dead-letters?topic=${origin}&limit=2&cursor=${cursor}`,
      );
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    }
    expect(seen.map((i) => i.key)).not.toContain('k-late');
    expect(new Set(seen.map((i) => i.id)).size).toBe(5);
    const bad = await http(service, 'GET', `/dead-letters?limit=0&cursor=zz`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.issues)).toContain('limit');
    const future = await http(
      service,
      'GET',
      `/dead-letters?topic=${origin}&since=${Date.now() + 60_000}`,
    );
    expect(future.body.items).toEqual([]);
    const stats = await http(service, 'GET', '/dead-letters/stats');
    expect(stats.body.byStatus.new).toBeGreaterThanOrEqual(6);
    expect(stats.body.groups).toContainEqual({
      originTopic: origin,
      errorClass: 'ContractViolationError',
      status: 'new',
      count: 6,
    });
  });

  it('replays the exact bytes and original headers to the origin topic, once', async () => {
    const items = await storedLetters(service, origin, 6);
    const bin = items.find((i) => i.key === 'k-bin');
    const invalid = items.find((i) => i.valueBase64 === INVALID_UTF8.toString('base64'));
    const a = await http(service, 'POST', `/dead-letters/${bin.id}/replay`);
    const b = await http(service, 'POST', `/dead-letters/${invalid.id}/replay`, {});
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ topic: origin, partition: 0 });
    expect(b.status).toBe(200);
    const records = await h.read(origin, 2, 500);
    expect(records).toHaveLength(2);
    const [first, second] = records.map((r) => r.message);
    expect(first?.value).toEqual(BINARY);
    expect(first?.headers?.['x-bin']).toEqual(Buffer.from([0xff, 0x00]));
    expect(first?.headers?.[HEADERS.DLQ_REPLAY_COUNT]?.toString()).toBe('1');
    expect(first?.headers?.[HEADERS.DLQ_REPLAY_OF]?.toString()).toBe(bin.id);
    expect(first?.headers?.[HEADERS.DLQ_ERROR_CLASS]).toBeUndefined();
    expect(second?.key).toEqual(Buffer.from([0xfe, 0x01]));
    expect(second?.value).toEqual(INVALID_UTF8);
    expect(String(first?.offset)).toBe(a.body.offset);
    const after = await http(service, 'GET', `/dead-letters/${bin.id}`);
    expect(after.body).toMatchObject({ status: 'replayed', replayCount: 1 });
  });

  it('validates a corrected value against the contract first and keeps the original', async () => {
    const telemetryTopic = h.name('telemetry');
    await h.createTopics([telemetryTopic, `${telemetryTopic}.dlq`]);
    const original = '{"deviceId":"d-1","metrics":{}}';
    await h.produce(`${telemetryTopic}.dlq`, [
      {
        key: 'd-1',
        value: original,
        headers: { ...dlqHeaders(telemetryTopic), [HEADERS.SCHEMA]: 'iot.telemetry/1' },
      },
    ]);
    const [letter] = await storedLetters(service, telemetryTopic, 1);
    const wrong = await http(service, 'POST', `/dead-letters/${letter.id}/replay`, {
      value: { deviceId: 'd-1', ts: 'yesterday', metrics: { t: 1 }, ingestedAt: 1 },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.issues.map((i: { path: string }) => i.path)).toContain('value.ts');
    const fixed = {
      deviceId: 'd-1',
      ts: 1_700_000_000_000,
      metrics: { t: 1 },
      ingestedAt: 1_700_000_000_001,
    };
    const ok = await http(service, 'POST', `/dead-letters/${letter.id}/replay`, { value: fixed });
    expect(ok.status).toBe(200);
    const [record] = await h.read(telemetryTopic, 1, 300);
    expect(JSON.parse(record?.message.value?.toString() ?? '')).toEqual(fixed);
    const kept = await http(service, 'GET', `/dead-letters/${letter.id}`);
    expect(Buffer.from(kept.body.valueBase64, 'base64').toString()).toBe(original);
  });

  it('needs a target for an mqtt origin, refuses a discarded dead letter, and guards against loops', async () => {
    const mqttTopic = h.name('mqtt');
    const target = h.name('mqtt-target');
    await h.createTopics([`${mqttTopic}.dlq`, target]);
    await h.produce(`${mqttTopic}.dlq`, [
      { key: null, value: 'raw bytes', headers: dlqHeaders('mqtt:sensors/d-9/telemetry') },
      { key: 'x', value: 'to discard', headers: dlqHeaders('mqtt:sensors/d-8/telemetry') },
    ]);
    const letters = await storedLetters(service, 'mqtt:sensors/d-9/telemetry', 1);
    const raw = letters[0];
    const noTarget = await http(service, 'POST', `/dead-letters/${raw.id}/replay`);
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.code).toBe('TARGET_TOPIC_REQUIRED');
    const [toDiscard] = await storedLetters(service, 'mqtt:sensors/d-8/telemetry', 1);
    const discarded = await http(service, 'DELETE', `/dead-letters/${toDiscard.id}`);
    expect(discarded.body.status).toBe('discarded');
    const refused = await http(service, 'POST', `/dead-letters/${toDiscard.id}/replay`, {
      targetTopic: target,
    });
    expect(refused.status).toBe(409);
    // DLQ_MAX_REPLAYS=2: two replays pass, the third is refused.
    for (let i = 0; i < 2; i++) {
      const sent = await http(service, 'POST', `/dead-letters/${raw.id}/replay`, {
        targetTopic: target,
      });
      expect(sent.status).toBe(200);
    }
    const third = await http(service, 'POST', `/dead-letters/${raw.id}/replay`, {
      targetTopic: target,
    });
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('REPLAY_LIMIT_REACHED');
    const replayed = await h.read(target, 2, 300);
    expect(replayed.map((r) => r.message.value?.toString())).toEqual(['raw bytes', 'raw bytes']);
  });

  it('links a record that fails again after a replay to its earlier row, and carries the count', async () => {
    const topic = h.name('loop');
    await h.createTopics([topic, `${topic}.dlq`]);
    await h.produce(`${topic}.dlq`, [{ key: 'l', value: '{"n":1}', headers: dlqHeaders(topic) }]);
    const [first] = await storedLetters(service, topic, 1);
    await http(service, 'POST', `/dead-letters/${first.id}/replay`);
    // The consumer fails again: it dead-letters the replayed record with its headers unchanged.
    const [replayed] = await h.read(topic, 1);
    await h.produce(`${topic}.dlq`, [
      {
        key: replayed?.message.key ?? null,
        value: replayed?.message.value ?? null,
        headers: { ...replayed?.message.headers, ...dlqHeaders(topic) },
      },
    ]);
    const rows = await storedLetters(service, topic, 2);
    const second = rows.find((r) => r.id !== first.id);
    expect(second).toMatchObject({ replayOf: first.id, replayCount: 1, status: 'new' });
    expect(Date.parse(second.firstFailedAt)).toBe(Date.parse(first.firstFailedAt));
    await http(service, 'POST', `/dead-letters/${second.id}/replay`);
    const limit = await http(service, 'POST', `/dead-letters/${second.id}/replay`);
    expect(limit.status).toBe(409);
  });
});
