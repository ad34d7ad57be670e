import { Logger } from '@nestjs/common';
import {
  HEADERS,
  parseOrThrow,
  telemetryContract,
  type TelemetryRecord,
} from '@streamline/contracts';
import {
  NonRetryableError,
  RetryableError,
  encodeRecord,
  type DeliveryReport,
  type KafkaRecord,
  type RawRecord,
} from '@streamline/messaging';
import { IngestAbortedError } from '../common/ingest-aborted.error';
import { IngestMetrics } from '../common/ingest.metrics';
import type { PresenceToucher } from '../presence/presence-refresher';
import type { IngestSettings } from './ingest-settings';
import {
  IngestTelemetryUseCase,
  type RecordSender,
  type TelemetryMessage,
} from './ingest-telemetry.use-case';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const SETTINGS: IngestSettings = {
  service: 'iot-ingestor',
  telemetryFilter: '$share/g/sensors/+/telemetry',
  telemetryTopic: 'telemetry',
  dlqTopic: 'telemetry.dlq',
  maxPayloadBytes: 10_000,
  maxFutureMs: 300_000,
  maxDlqValueBytes: 100_000,
  retryBackoff: { initialMs: 1, maxMs: 2, multiplier: 2, jitter: 0 },
};

/** Acknowledges every record unless a failure is queued for its n-th send. */
/** What the producer writes for a record: key, value bytes, headers. */
const wire = (record: KafkaRecord | undefined) => encodeRecord(record as KafkaRecord, 0).message;

class FakeSender implements RecordSender {
  readonly sent: KafkaRecord[] = [];
  failures: Array<(record: KafkaRecord) => Error | undefined> = [];

  async send<T>(record: KafkaRecord<T>): Promise<DeliveryReport> {
    this.sent.push(record as KafkaRecord);
    const failure = this.failures.shift()?.(record as KafkaRecord);
    if (failure) throw failure;
    return { topic: record.topic, partition: 0, offset: String(this.sent.length), timestamp: '0' };
  }

  acked(topic: string): KafkaRecord[] {
    return this.sent.filter((r) => r.topic === topic);
  }
}

function setup() {
  const sender = new FakeSender();
  const touched: Array<[string, number]> = [];
  const presence: PresenceToucher = { touch: (id, at) => void touched.push([id, at]) };
  const useCase = new IngestTelemetryUseCase(sender, presence, new IngestMetrics(), SETTINGS);
  return { sender, touched, useCase };
}

const message = (
  payload: string | Buffer,
  topic = 'sensors/dev-1/telemetry',
): TelemetryMessage => ({
  topic,
  payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
  receivedAt: 1_700_000_000_123,
});
const live = () => new AbortController().signal;

describe('IngestTelemetryUseCase', () => {
  // The retry and failure warnings are expected here; keep the output readable.
  beforeAll(() => Logger.overrideLogger(false));

  it('produces a reading keyed by its device with the contract, traceparent and ingestedAt; refreshes presence', async () => {
    const { sender, touched, useCase } = setup();
    const ts = Date.now() - 1_000;
    const outcome = await useCase.execute(
      { ...message(`{"ts":${ts},"seq":3,"metrics":{"t":20.5}}`), traceparent: TRACEPARENT },
      live(),
    );
    expect(outcome).toEqual({ deviceId: 'dev-1', produced: 1, deadLettered: 0 });
    const record = wire(sender.sent[0]);
    expect(sender.sent[0]).toMatchObject({ topic: 'telemetry', key: 'dev-1' });
    expect(record.headers).toEqual({
      [HEADERS.CONTENT_TYPE]: 'application/json',
      [HEADERS.SCHEMA]: 'iot.telemetry/1',
      [HEADERS.TRACEPARENT]: TRACEPARENT,
    });
    const value = parseOrThrow(telemetryContract, JSON.parse(String(record.value)));
    expect(value).toMatchObject({ deviceId: 'dev-1', ts, seq: 3, metrics: { t: 20.5 } });
    expect(value.ingestedAt).toBeGreaterThanOrEqual(ts);
    expect(touched).toEqual([['dev-1', 1_700_000_000_123]]);
  });

  it('dead-letters a payload that is not JSON with its original bytes, key and dlq headers', async () => {
    const { sender, useCase } = setup();
    const payload = Buffer.from([0x7b, 0x22, 0x74, 0xff]);
    const outcome = await useCase.execute(message(payload), live());
    expect(outcome).toEqual({ deviceId: 'dev-1', produced: 0, deadLettered: 1 });
    const letter = sender.acked('telemetry.dlq')[0] as RawRecord;
    expect(Buffer.isBuffer(letter.value) && letter.value.equals(payload)).toBe(true);
    expect(letter.key).toBe('dev-1');
    expect(letter.headers).toEqual({
      [HEADERS.DLQ_ORIGIN_TOPIC]: 'mqtt:sensors/dev-1/telemetry',
      [HEADERS.DLQ_ORIGIN_TIMESTAMP]: '1700000000123',
      [HEADERS.DLQ_SERVICE]: 'iot-ingestor',
      [HEADERS.DLQ_ERROR_CLASS]: 'InvalidUtf8Error',
      [HEADERS.DLQ_ERROR_MESSAGE]: 'value is not valid UTF-8',
      [HEADERS.DLQ_ATTEMPTS]: '1',
    });
  });

  it('produces the valid readings of a batch and dead-letters each invalid one alone', async () => {
    const { sender, useCase } = setup();
    const now = Date.now();
    const payload = `[{"ts":${now},"metrics":{"a":1}},{"ts":${now},"metrics":{"a":"high"}},{"ts":${now},"metrics":{"a":3}}]`;
    const outcome = await useCase.execute(message(payload), live());
    expect(outcome).toEqual({ deviceId: 'dev-1', produced: 2, deadLettered: 1 });
    expect(
      sender
        .acked('telemetry')
        .map((r) => (JSON.parse(String(wire(r).value)) as TelemetryRecord).metrics['a']),
    ).toEqual([1, 3]);
    const letter = sender.acked('telemetry.dlq')[0] as RawRecord;
    expect(String(letter.value)).toBe(`{"ts":${now},"metrics":{"a":"high"}}`);
    expect(letter.headers?.[HEADERS.DLQ_ERROR_MESSAGE]).toMatch(/^\[1\]\.metrics\.a: /);
  });

  it('resolves only once Kafka acknowledged: failed sends are retried, the result waits', async () => {
    const { sender, useCase } = setup();
    const down = () => new RetryableError('KAFKA_SEND_FAILED', 'broker down');
    sender.failures = [down, down, down];
    const outcome = await useCase.execute(
      message(`{"ts":${Date.now()},"metrics":{"t":1}}`),
      live(),
    );
    expect(outcome.produced).toBe(1);
    expect(sender.acked('telemetry')).toHaveLength(4);
  });

  it('keeps a reading Kafka refuses for good in the DLQ with its bytes, and produces the others', async () => {
    const { sender, useCase } = setup();
    const now = Date.now();
    // What the producer rejects with when the broker refuses the record: kafkajs' error as cause.
    const tooLarge = Object.assign(new Error('larger than the max message size'), {
      type: 'MESSAGE_TOO_LARGE',
    });
    sender.failures = [
      () => new NonRetryableError('KAFKA_SEND_REJECTED', 'Kafka send failed', { cause: tooLarge }),
    ];
    const outcome = await useCase.execute(
      message(`[{"ts":${now},"metrics":{"a":1}}, {"ts":${now},"metrics":{"a":2}}]`),
      live(),
    );
    expect(outcome).toEqual({ deviceId: 'dev-1', produced: 1, deadLettered: 1 });
    const letter = sender.acked('telemetry.dlq')[0] as RawRecord;
    expect(String(letter.value)).toBe(`{"ts":${now},"metrics":{"a":1}}`);
    expect(letter.headers?.[HEADERS.DLQ_ERROR_CLASS]).toBe('KafkaSendRejectedError');
    expect(letter.headers?.[HEADERS.DLQ_ERROR_MESSAGE]).toMatch(/^KAFKA_SEND_REJECTED: /);
  });

  it('never gives up on a dead letter, even one Kafka refuses: it stays unacked until aborted', async () => {
    const { sender, useCase } = setup();
    sender.failures = Array.from(
      { length: 10_000 },
      () => () => new NonRetryableError('KAFKA_SEND_REJECTED', 'no'),
    );
    const abort = new AbortController();
    const ingesting = useCase.execute(message('not json'), abort.signal);
    setTimeout(() => abort.abort(), 50);
    await expect(ingesting).rejects.toBeInstanceOf(IngestAbortedError);
    expect(sender.sent.length).toBeGreaterThan(1);
  });

  it('dead-letters anything on a topic whose device level is not a device id, without touching presence', async () => {
    const { sender, touched, useCase } = setup();
    await useCase.execute(
      message(`{"ts":${Date.now()},"metrics":{"t":1}}`, 'sensors/a.b/telemetry'),
      live(),
    );
    expect(sender.acked('telemetry')).toEqual([]);
    const letter = sender.acked('telemetry.dlq')[0] as RawRecord;
    expect(letter.key).toBe('a.b');
    expect(letter.headers?.[HEADERS.DLQ_ERROR_CLASS]).toBe('InvalidTopicError');
    expect(touched).toEqual([]);
  });
});
