import {
  HEADERS,
  userActivityContract,
  userActivityInputContract,
  validate,
} from '@streamline/contracts';
import { encodeRecord, type ContractRecord } from '@streamline/messaging';
import fc from 'fast-check';
import {
  KafkaRecordPublisher,
  toContractRecord,
  type KafkaProducerPort,
} from './kafka-record-publisher';
import type { OutgoingRecord } from './record-publisher';

const TRACE = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const event = {
  eventId: '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed',
  userId: 'u-1',
  type: 'click',
  ts: 1_714_564_800_000,
};
const record: OutgoingRecord = {
  topic: 't',
  contract: userActivityContract,
  key: 'u-1',
  value: event,
  headers: { origin: 'crm', [HEADERS.SCHEMA]: 'forged/9' },
  traceparent: TRACE,
};

function producer(
  send: (
    r: ContractRecord<unknown>,
  ) => Promise<{ partition: number; offset: string; timestamp: string }>,
) {
  const sent: ContractRecord<unknown>[] = [];
  const forgotten: ContractRecord<unknown>[] = [];
  const port: KafkaProducerPort = {
    send: (r) => {
      sent.push(r);
      return send(r);
    },
    sendAndForget: (r) => void forgotten.push(r),
  };
  return { port, sent, forgotten };
}

describe('KafkaRecordPublisher', () => {
  it('goes through the library encoder: the value as JSON with the contract headers, which win over client headers', () => {
    const contractRecord = toContractRecord(record);
    expect(contractRecord).toMatchObject({ contract: userActivityContract, prevalidated: true });
    const { message } = encodeRecord(contractRecord, 0);
    expect(message.key).toBe('u-1');
    expect(message.value).toBe(JSON.stringify(event));
    expect(message.headers).toEqual({
      origin: 'crm',
      [HEADERS.CONTENT_TYPE]: 'application/json',
      [HEADERS.SCHEMA]: 'user-activity/1',
      [HEADERS.TRACEPARENT]: TRACE,
    });
  });

  it('reports each record’s partition, offset and timestamp, in order', async () => {
    const { port } = producer(async (r) => ({
      partition: r.key === 'u-1' ? 3 : 4,
      offset: '42',
      timestamp: '1700000000000',
    }));
    const outcomes = await new KafkaRecordPublisher(port, 1_000).publish([
      record,
      { ...record, key: 'u-2' },
    ]);
    expect(outcomes).toEqual([
      { ok: true, delivery: { partition: 3, offset: '42', timestamp: 1_700_000_000_000 } },
      { ok: true, delivery: { partition: 4, offset: '42', timestamp: 1_700_000_000_000 } },
    ]);
  });

  it('keeps the producer’s declared errors and turns anything else into KAFKA_UNAVAILABLE (503)', async () => {
    const declared = Object.assign(new Error('timeout'), {
      code: 'KAFKA_DELIVERY_TIMEOUT',
      retryable: true,
    });
    const { port } = producer(async (r) => {
      throw r.key === 'u-1' ? declared : new Error('socket hang up');
    });
    const [first, second] = await new KafkaRecordPublisher(port, 1_000).publish([
      record,
      { ...record, key: 'u-2' },
    ]);
    expect(first).toEqual({ ok: false, error: declared });
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'KAFKA_UNAVAILABLE', retryable: true },
    });
  });

  it('never waits longer than the delivery timeout plus a second, whatever the producer does', async () => {
    jest.useFakeTimers();
    try {
      const { port } = producer(() => new Promise(() => undefined));
      const pending = new KafkaRecordPublisher(port, 500).publish([record]);
      await jest.advanceTimersByTimeAsync(1_500);
      expect(await pending).toMatchObject([{ ok: false, error: { code: 'KAFKA_UNAVAILABLE' } }]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('hands fire-and-forget records over without waiting', () => {
    const { port, forgotten } = producer(() => new Promise(() => undefined));
    new KafkaRecordPublisher(port, 1_000).publishAndForget([record, record]);
    expect(forgotten).toHaveLength(2);
  });

  it('may skip the producer’s own validation: whatever the HTTP contract accepts, the record contract accepts', () => {
    const input = fc.record(
      {
        eventId: fc.uuid().map((id) => (id.length % 2 === 0 ? id.toUpperCase() : id)),
        userId: fc.stringMatching(/^\S{1,40}$/),
        type: fc.stringMatching(/^[A-Za-z0-9_:-]{1,20}$/),
        ts: fc.oneof(
          fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }),
          fc
            .date({
              min: new Date(Date.UTC(2000, 0, 1)),
              max: new Date(Date.UTC(2100, 0, 1)),
              noInvalidDate: true,
            })
            .map((d) => d.toISOString()),
        ),
        properties: fc.dictionary(fc.string(), fc.jsonValue()),
      },
      { requiredKeys: ['userId', 'type', 'ts'] },
    );
    let checked = 0;
    fc.assert(
      fc.property(input, (candidate) => {
        const accepted = validate(userActivityInputContract, candidate);
        if (!accepted.ok) return;
        checked += 1;
        const { message } = encodeRecord(toContractRecord({ ...record, value: accepted.value }), 0);
        const wire = JSON.parse(message.value as string) as unknown;
        expect(validate(userActivityContract, wire)).toMatchObject({ ok: true, value: wire });
      }),
      { numRuns: 500 },
    );
    // The generator aims at valid input: the property must have been checked, not skipped.
    expect(checked).toBeGreaterThan(400);
  });
});
