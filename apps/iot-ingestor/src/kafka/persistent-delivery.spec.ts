import {
  NonRetryableError,
  RetryableError,
  type DeliveryReport,
  type KafkaRecord,
} from '@streamline/messaging';
import { IngestAbortedError } from '../common/abortable';
import { deliverAll, isRefusedForGood, type RecordSender } from './persistent-delivery';

/** What the producer rejects with when the broker refuses a record: kafkajs' protocol error as cause. */
function brokerRefusal(type: string): Error {
  const protocolError = Object.assign(new Error(`broker says ${type}`), { type, retriable: false });
  const wrapped = Object.assign(new Error('non-retriable'), {
    name: 'KafkaJSNonRetriableError',
    cause: protocolError,
  });
  return new NonRetryableError('KAFKA_SEND_REJECTED', 'Kafka send failed', { cause: wrapped });
}

/** What the producer rejects with when kafkajs gave up on a broker that is down. */
function retriesExhausted(): Error {
  const connection = Object.assign(new Error('connect ECONNREFUSED'), {
    name: 'KafkaJSConnectionError',
  });
  const wrapped = Object.assign(new Error('connect ECONNREFUSED'), {
    name: 'KafkaJSNonRetriableError',
    cause: connection,
  });
  return new NonRetryableError('KAFKA_SEND_REJECTED', 'Kafka send failed', { cause: wrapped });
}

const BACKOFF = { initialMs: 1, maxMs: 5, multiplier: 2, jitter: 0 };
const record = (value: string): KafkaRecord => ({ topic: 't', key: 'k', value });

/** Fails each record with the errors queued for it, then acknowledges it. */
class ScriptedSender implements RecordSender {
  readonly sends: string[] = [];
  constructor(private readonly script: Record<string, Error[]> = {}) {}

  async send<T>(r: KafkaRecord<T>): Promise<DeliveryReport> {
    const value = String(r.value);
    this.sends.push(value);
    const error = this.script[value]?.shift();
    if (error) throw error;
    return { topic: r.topic, partition: 0, offset: String(this.sends.length), timestamp: '0' };
  }
}

describe('deliverAll', () => {
  it('retries the failed records only, until every one is acknowledged', async () => {
    const down = () => new RetryableError('KAFKA_SEND_FAILED', 'broker down');
    const sender = new ScriptedSender({ b: [down(), down()] });
    const retries: number[] = [];
    const result = await deliverAll(sender, [record('a'), record('b')], {
      backoff: BACKOFF,
      signal: new AbortController().signal,
      onRetry: (r) => retries.push(r.records),
    });
    expect(sender.sends).toEqual(['a', 'b', 'b', 'b']);
    expect([...result.reports.keys()].sort()).toEqual([0, 1]);
    expect(result.refused).toEqual([]);
    expect(retries).toEqual([1, 1]);
  });

  it('tells a record the broker refuses from a broker that is down, whatever the producer classified', () => {
    expect(isRefusedForGood(brokerRefusal('MESSAGE_TOO_LARGE'))).toBe(true);
    expect(isRefusedForGood(new NonRetryableError('CONTRACT_VIOLATION', 'bad value'))).toBe(true);
    expect(isRefusedForGood(retriesExhausted())).toBe(false);
    expect(isRefusedForGood(new RetryableError('KAFKA_DELIVERY_TIMEOUT', 'late'))).toBe(false);
  });

  it('retries a record kafkajs gave up on (broker down) even when allowed to hand it back', async () => {
    const sender = new ScriptedSender({ a: [retriesExhausted(), retriesExhausted()] });
    const result = await deliverAll(sender, [record('a')], {
      backoff: BACKOFF,
      signal: new AbortController().signal,
      canGiveBack: () => true,
    });
    expect(result.refused).toEqual([]);
    expect(sender.sends).toEqual(['a', 'a', 'a']);
  });

  it('hands back a record Kafka refuses for good when allowed, and keeps retrying the others', async () => {
    const refuse = () => brokerRefusal('MESSAGE_TOO_LARGE');
    const sender = new ScriptedSender({ a: [refuse()], b: [refuse()] });
    const result = await deliverAll(sender, [record('a'), record('b')], {
      backoff: BACKOFF,
      signal: new AbortController().signal,
      canGiveBack: (index) => index === 0,
    });
    expect(result.refused.map((r) => [r.index, r.failure.code])).toEqual([
      [0, 'KAFKA_SEND_REJECTED'],
    ]);
    expect(sender.sends).toEqual(['a', 'b', 'b']);
    expect([...result.reports.keys()]).toEqual([1]);
  });

  it('gives up with IngestAbortedError when the signal aborts while Kafka is away', async () => {
    const sender: RecordSender = { send: () => Promise.reject(new RetryableError('X', 'down')) };
    const abort = new AbortController();
    const delivering = deliverAll(sender, [record('a')], {
      backoff: { ...BACKOFF, initialMs: 60_000, maxMs: 60_000 },
      signal: abort.signal,
    });
    setTimeout(() => abort.abort(), 10);
    await expect(delivering).rejects.toBeInstanceOf(IngestAbortedError);
  });

  it('makes no attempt once the signal aborted', async () => {
    const sender = new ScriptedSender();
    const abort = new AbortController();
    abort.abort();
    await expect(
      deliverAll(sender, [record('a')], { backoff: BACKOFF, signal: abort.signal }),
    ).rejects.toBeInstanceOf(IngestAbortedError);
    expect(sender.sends).toEqual([]);
  });
});
