import { HEADERS } from '@streamline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { silentLogger } from '../../logging/messaging-logger';
import { KafkaTestKit } from '../consumer/test/kafka-test-kit';
import { readPartitionRanges } from '../topic-range-reader';
import { RETRIES_EXHAUSTED, RetryForwarder } from './retry-forwarder';

const header = (message: KafkaMessage | undefined, name: string) =>
  message?.headers?.[name]?.toString();

describe('RetryForwarder with a per-topic policy, against the real broker', () => {
  const kit = new KafkaTestKit();

  afterAll(() => kit.cleanup());

  it('holds a record for its backoff, and dead-letters one past its last attempt with the dlq headers', async () => {
    const origin = await kit.topic('it.fwdpolicy', 1, { retry: true, dlq: true });
    const retryHeaders = (attempt: number) => ({
      [HEADERS.RETRY_ATTEMPT]: String(attempt),
      [HEADERS.RETRY_NOT_BEFORE]: '0',
      [HEADERS.RETRY_ORIGIN_TOPIC]: origin,
      [HEADERS.RETRY_ORIGIN_PARTITION]: '0',
      [HEADERS.RETRY_ORIGIN_OFFSET]: '41',
      [HEADERS.RETRY_ERROR]: 'UPSTREAM_DOWN: refused',
      'x-original': 'kept',
    });
    const writtenAt = Date.now();
    await kit.produce(`${origin}.retry`, [
      { key: 'again', value: Buffer.from([0xff, 0x00, 0xfe]), headers: retryHeaders(2) },
      { key: 'exhausted', value: 'last', headers: retryHeaders(3) },
    ]);
    const forwarder = new RetryForwarder({
      kafka: kit.kafka,
      groupId: kit.group('it.fwdpolicy.group'),
      topics: [`${origin}.retry`],
      logger: silentLogger,
      service: 'it-dlq-handler',
      policy: (topic) =>
        topic === origin
          ? {
              maxAttempts: 2,
              backoff: { initialMs: 1_500, maxMs: 1_500, multiplier: 2, jitter: 0 },
            }
          : undefined,
    });
    const exhausted: number[] = [];
    forwarder.events.on('record.exhausted', (e) => exhausted.push(e.attempt));
    await forwarder.start();
    try {
      const [back] = await kit.read(origin, 1);
      const [letter] = await kit.read(`${origin}.dlq`, 1);
      // Not sent back before its backoff after the .retry record was written.
      expect(Number(back?.message.timestamp)).toBeGreaterThanOrEqual(writtenAt + 1_500 - 10);
      expect(back?.message.value).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
      expect(header(back?.message, 'x-original')).toBe('kept');
      const dead = letter?.message;
      expect(dead?.key?.toString()).toBe('exhausted');
      expect(dead?.value?.toString()).toBe('last');
      expect(header(dead, HEADERS.DLQ_ORIGIN_TOPIC)).toBe(origin);
      expect(header(dead, HEADERS.DLQ_ORIGIN_OFFSET)).toBe('41');
      expect(header(dead, HEADERS.DLQ_ERROR_CLASS)).toBe(RETRIES_EXHAUSTED);
      expect(header(dead, HEADERS.DLQ_ERROR_MESSAGE)).toBe('UPSTREAM_DOWN: refused');
      expect(header(dead, HEADERS.DLQ_ATTEMPTS)).toBe('2');
      expect(header(dead, HEADERS.DLQ_SERVICE)).toBe('it-dlq-handler');
      expect(header(dead, 'x-original')).toBe('kept');
      expect(exhausted).toEqual([3]);
    } finally {
      await forwarder.stop();
    }
  });

  it('readPartitionRanges reads exactly the records of the given offset range', async () => {
    const topic = await kit.topic('it.ranges', 1);
    await kit.produce(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: String(i), value: `v${i}` })),
    );
    const seen: string[] = [];
    await readPartitionRanges(
      kit.kafka,
      [{ topic, partition: 0, fromOffset: '3', toOffset: '7' }],
      (_t, _p, message) => seen.push(message.offset),
    );
    expect(seen).toEqual(['3', '4', '5', '6']);
  });
});
