import {
  HEADERS,
  contractHeaders,
  telemetryContract,
  type TelemetryRecord,
} from '@streamline/contracts';
import {
  ContractConsumer,
  defineHandler,
  RETRIES_EXHAUSTED,
  RetryableError,
  silentLogger,
  type RecordContext,
} from '@streamline/messaging';
import { uniqueName, waitFor, type RunningTestService } from '@streamline/testing';
import { DlqHarness, storedLetters } from './support/dlq-harness';

/** The wall clock can step back a few milliseconds between two readings. */
const CLOCK_STEP_MS = 20;

function reading(deviceId: string, seq: number): TelemetryRecord {
  return {
    deviceId,
    ts: 1_700_000_000_000 + seq,
    seq,
    metrics: { t: seq },
    ingestedAt: 1_700_000_000_000,
  };
}

describe('retries of every service through <topic>.retry (real Kafka, Postgres)', () => {
  let h: DlqHarness;
  let service: RunningTestService;
  let consumer: ContractConsumer | undefined;

  beforeAll(async () => {
    h = await DlqHarness.create();
    service = await h.start({
      RETRY_POLICIES: JSON.stringify({
        '*': { maxAttempts: 4, initialMs: 400, maxMs: 1_600, multiplier: 2, jitter: 0 },
      }),
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await h?.cleanup();
  });

  it('serves topics created after start: a flaky record succeeds after growing delays, a broken one is stored with every header', async () => {
    // Created after the service started: the pattern subscription must pick them up.
    const topic = h.name('flow');
    await h.createTopics([topic, `${topic}.retry`, `${topic}.dlq`]);
    const attempts: Array<{ seq: number; attempt: number; at: number }> = [];
    consumer = new ContractConsumer({
      kafka: h.kafka,
      groupId: uniqueName('it-dlq-app'),
      service: 'it-app',
      logger: silentLogger,
      handlers: [
        defineHandler({
          topic,
          contract: telemetryContract,
          // The consumer would allow 10 attempts: the dlq-handler's policy (4) decides.
          failurePolicy: { maxAttempts: 10, backoff: { initialMs: 50, maxMs: 50, jitter: 0 } },
          handler: (value: TelemetryRecord, context: RecordContext) => {
            const seq = value.seq ?? -1;
            attempts.push({ seq, attempt: context.attempt, at: Date.now() });
            if (seq === 2 || (seq === 1 && context.attempt < 3)) {
              throw new RetryableError('UPSTREAM_DOWN', `upstream refused seq ${seq}`);
            }
          },
        }),
      ],
    });
    await consumer.start();
    await h.produce(
      topic,
      [1, 2].map((seq) => ({
        key: 'dev-1',
        value: JSON.stringify(reading('dev-1', seq)),
        headers: { ...contractHeaders(telemetryContract), 'x-trace': `trace-${seq}` },
      })),
    );

    await waitFor(() => attempts.find((a) => a.seq === 1 && a.attempt === 3), {
      timeoutMs: 45_000,
      what: 'the third attempt of the flaky record',
    });
    const flaky = attempts.filter((a) => a.seq === 1).sort((a, b) => a.attempt - b.attempt);
    expect(flaky.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Exponential: at least 400 ms before attempt 2, at least 800 ms before attempt 3.
    const [one, two, three] = flaky;
    expect((two?.at ?? 0) - (one?.at ?? 0)).toBeGreaterThanOrEqual(400 - CLOCK_STEP_MS);
    expect((three?.at ?? 0) - (two?.at ?? 0)).toBeGreaterThanOrEqual(800 - CLOCK_STEP_MS);

    const [letter] = await storedLetters(service, topic, 1);
    expect(letter).toMatchObject({
      originTopic: topic,
      originPartition: 0,
      // Where its last attempt was read: the forwarded copy, not the first write.
      originOffset: expect.stringMatching(/^\d+$/),
      key: 'dev-1',
      value: reading('dev-1', 2),
      errorClass: RETRIES_EXHAUSTED,
      service: 'dlq-handler',
      attempts: 4,
      status: 'new',
    });
    expect(letter.errorMessage).toContain('UPSTREAM_DOWN');
    expect(letter.headers).toMatchObject({
      [HEADERS.CONTENT_TYPE]: 'application/json',
      [HEADERS.SCHEMA]: 'iot.telemetry/1',
      'x-trace': 'trace-2',
      [HEADERS.RETRY_ATTEMPT]: '5',
      [HEADERS.DLQ_ORIGIN_TOPIC]: topic,
      [HEADERS.DLQ_ATTEMPTS]: '4',
    });
    expect(attempts.filter((a) => a.seq === 2).map((a) => a.attempt)).toEqual([1, 2, 3, 4]);

    const metrics = await fetch(`${service.baseUrl}/metrics`).then((r) => r.text());
    expect(metrics).toContain(`dlq_retries_forwarded_total{topic="${topic}",attempt="3"`);
    expect(metrics).toContain(`dlq_dead_letters{topic="${topic}",status="new"`);
  });
});
