import { HEADERS, telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { waitFor } from '@streamline/testing';
import type { KafkaMessage } from 'kafkajs';
import { RetryableError } from '../../errors/processing-error';
import { silentLogger } from '../../logging/messaging-logger';
import { defineHandler, type RecordContext } from '../consumer/consumer-options';
import { ContractConsumer } from '../consumer/contract-consumer';
import { KafkaTestKit, telemetry } from '../consumer/test/kafka-test-kit';
import { RETRY_GROUP_HEADER } from './failure-headers';
import { RetryForwarder } from './retry-forwarder';

/** The wall clock of this machine can step back a millisecond or two between two readings. */
const CLOCK_STEP_MS = 10;

function header(message: KafkaMessage | undefined, name: string): string | undefined {
  return message?.headers?.[name]?.toString();
}

describe('retries through <topic>.retry and the RetryForwarder, against the real broker', () => {
  const kit = new KafkaTestKit();

  afterAll(() => kit.cleanup());

  it('routes a retryable failure to .retry, brings it back when due, and the second attempt succeeds; other groups skip it', async () => {
    const topic = await kit.topic('it.retry', 2, { retry: true, dlq: true });
    const group = kit.group('it.retry.group');
    const otherGroup = kit.group('it.retry.other');
    await kit.produce(topic, [
      telemetry('device-1', 0),
      telemetry('device-1', 1),
      telemetry('device-1', 2),
    ]);

    const attempts: Array<{ seq: number; attempt: number; at: number }> = [];
    const consumer = new ContractConsumer({
      kafka: kit.kafka,
      groupId: group,
      service: 'it-retry',
      logger: silentLogger,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          failurePolicy: { maxAttempts: 2, backoff: { initialMs: 1_500, jitter: 0 } },
          handler: (value: TelemetryRecord, context: RecordContext) => {
            const seq = value.seq ?? -1;
            attempts.push({ seq, attempt: context.attempt, at: Date.now() });
            if (seq === 2 || (seq === 1 && context.attempt === 1)) {
              throw new RetryableError('UPSTREAM_DOWN', `upstream refused seq ${seq}`);
            }
          },
        }),
      ],
    });
    const seenByOther: number[] = [];
    const other = new ContractConsumer({
      kafka: kit.kafka,
      groupId: otherGroup,
      service: 'it-retry-other',
      logger: silentLogger,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          handler: (value: TelemetryRecord) => {
            seenByOther.push(value.seq ?? -1);
          },
        }),
      ],
    });
    const forwarder = new RetryForwarder({
      kafka: kit.kafka,
      groupId: kit.group('it.retry.forwarder'),
      topics: [`${topic}.retry`],
      logger: silentLogger,
    });
    await Promise.all([consumer.start(), other.start()]);
    try {
      const retries = (await kit.read(`${topic}.retry`, 2)).map((r) => r.message);
      const [first, second] = retries.sort(
        (a, b) =>
          Number(header(a, HEADERS.RETRY_ORIGIN_OFFSET)) -
          Number(header(b, HEADERS.RETRY_ORIGIN_OFFSET)),
      );
      for (const retry of retries) {
        expect(header(retry, HEADERS.RETRY_ATTEMPT)).toBe('2');
        expect(header(retry, HEADERS.RETRY_ORIGIN_TOPIC)).toBe(topic);
        expect(header(retry, HEADERS.RETRY_ORIGIN_PARTITION)).toMatch(/^[01]$/);
        expect(header(retry, HEADERS.RETRY_ERROR)).toContain('UPSTREAM_DOWN');
        expect(header(retry, RETRY_GROUP_HEADER)).toBe(group);
        expect(header(retry, HEADERS.SCHEMA)).toBe('iot.telemetry/1');
        expect(retry.key?.toString()).toBe('device-1');
        // Due in the future when written: not-before lies after the record's own timestamp.
        expect(Number(header(retry, HEADERS.RETRY_NOT_BEFORE))).toBeGreaterThan(
          Number(retry.timestamp),
        );
      }
      expect(JSON.parse(first?.value?.toString() ?? '{}').seq).toBe(1);
      const notBefore = Number(header(first, HEADERS.RETRY_NOT_BEFORE));

      await forwarder.start();
      await waitFor(() => attempts.find((a) => a.seq === 1 && a.attempt === 2), {
        what: 'the second attempt of seq 1',
      });
      const secondAttempt = attempts.find((a) => a.seq === 1 && a.attempt === 2);
      expect(secondAttempt?.at).toBeGreaterThanOrEqual(notBefore - CLOCK_STEP_MS);
      expect(JSON.parse(second?.value?.toString() ?? '{}').seq).toBe(2);

      // seq 2 fails its last attempt: dead-lettered with the count of attempts made.
      const [letter] = (await kit.read(`${topic}.dlq`, 1)).map((r) => r.message);
      expect(JSON.parse(letter?.value?.toString() ?? '{}').seq).toBe(2);
      expect(header(letter, HEADERS.DLQ_ATTEMPTS)).toBe('2');
      expect(header(letter, HEADERS.DLQ_ERROR_CLASS)).toBe('RetryableError');

      // The other group reads the two forwarded copies too, and skips them.
      const admin = await kit.connect();
      await waitFor(
        async () => {
          const ends = await admin.fetchTopicOffsets(topic);
          const total = ends.reduce((sum, p) => sum + Number(p.high), 0);
          const committed = await kit.committed(otherGroup, topic);
          const done = [...committed.values()].reduce((sum, o) => sum + Math.max(0, o), 0);
          return total === 5 && done === 5 ? true : undefined;
        },
        { what: 'the other group past the forwarded copies' },
      );
    } finally {
      await Promise.all([consumer.stop(), other.stop(), forwarder.stop()]);
    }
    expect(seenByOther.sort()).toEqual([0, 1, 2]);
    expect(attempts.filter((a) => a.seq === 0)).toHaveLength(1);
  });

  it('waits for a record that is not due without holding up the other partitions', async () => {
    const origin = await kit.topic('it.fwd', 2);
    const retryTopic = `${origin}.retry`;
    await kit.createTopics([{ topic: retryTopic, partitions: 2 }]);
    const now = Date.now();
    const retryHeaders = (notBefore: number) => ({
      [HEADERS.RETRY_ATTEMPT]: '2',
      [HEADERS.RETRY_NOT_BEFORE]: String(notBefore),
      [HEADERS.RETRY_ORIGIN_TOPIC]: origin,
      'x-trace': 'kept',
    });
    const laterDue = now + 8_000;
    await kit.produce(retryTopic, [
      { key: 'late', value: 'late-value', headers: retryHeaders(laterDue), partition: 0 },
      { key: 'behind', value: 'behind-value', headers: retryHeaders(now), partition: 0 },
      { key: 'ready', value: 'ready-value', headers: retryHeaders(now), partition: 1 },
    ]);

    const waiting: string[] = [];
    const forwarder = new RetryForwarder({
      kafka: kit.kafka,
      groupId: kit.group('it.fwd.group'),
      topics: [retryTopic],
      logger: silentLogger,
    });
    const forwarded: string[] = [];
    forwarder.events.on('record.waiting', (e) => waiting.push(`${e.partition}@${e.offset}`));
    forwarder.events.on('record.forwarded', (e) => forwarded.push(`${e.partition}@${e.offset}`));
    const arrivals = new Map<string, { at: number; message: KafkaMessage }>();
    const reader = kit.kafka.consumer({
      groupId: kit.group('it.fwd.reader'),
      maxWaitTimeInMs: 100,
    });
    await reader.connect();
    await reader.subscribe({ topic: origin, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        arrivals.set(message.key?.toString() ?? '', { at: Date.now(), message });
      },
    });
    await forwarder.start();
    try {
      await waitFor(() => (arrivals.size === 3 ? true : undefined), {
        what: 'all three forwarded',
      });
    } finally {
      await Promise.all([forwarder.stop(), reader.disconnect()]);
    }
    const ready = arrivals.get('ready');
    const late = arrivals.get('late');
    const behind = arrivals.get('behind');
    expect(waiting).toContain('0@0');
    // The due record of partition 1 went while partition 0 still waited for its first record.
    expect(ready?.at).toBeLessThan(laterDue);
    expect(late?.at).toBeGreaterThanOrEqual(laterDue - CLOCK_STEP_MS);
    // Within a partition the order holds: the due record behind the waiting one waited too.
    expect(behind?.at).toBeGreaterThanOrEqual(laterDue - CLOCK_STEP_MS);
    expect(forwarded.filter((f) => f.startsWith('0@'))).toEqual(['0@0', '0@1']);
    expect(late?.message.value?.toString()).toBe('late-value');
    expect(header(late?.message, 'x-trace')).toBe('kept');
    expect(header(late?.message, HEADERS.RETRY_NOT_BEFORE)).toBe(String(laterDue));
  });
});
