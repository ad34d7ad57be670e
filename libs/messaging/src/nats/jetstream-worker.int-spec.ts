import {
  HEADERS,
  NATS_DLQ_HEADERS,
  alertContract,
  deadLetterSubject,
  nanos,
  type Alert,
} from '@streamline/contracts';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import { connect, type JsMsg, type NatsConnection } from 'nats';
import { NonRetryableError, RetryableError } from '../errors/processing-error';
import { silentLogger } from '../logging/messaging-logger';
import type {
  DeliveryOutcome,
  JetStreamHandler,
  JetStreamMessage,
} from './jetstream-message-handler';
import { ensureConsumer, ensureStream } from './jetstream-provisioner';
import { JetStreamPublisher } from './jetstream-publisher';
import { JetStreamWorker, type JetStreamWorkerOptions } from './jetstream-worker';
import { natsHeadersToRecord } from './nats-headers';
import { deleteStreams, testConsumer, testStream } from './test-support/jetstream-test-names';

const alertFor = (deviceId: string, n = 0): Alert => ({
  alertId: `${deviceId}:threshold.max:temperature:${n}`,
  deviceId,
  rule: 'threshold.max',
  metric: 'temperature',
  value: 90 + n,
  threshold: 80,
  windowStart: 1_700_000_000_000 + n * 60_000,
  windowEnd: 1_700_000_060_000 + n * 60_000,
});

describe('JetStreamWorker against the real NATS server', () => {
  let nc: NatsConnection;
  let publisher: JetStreamPublisher;
  const prefix = uniqueName('it-worker');
  const stream = testStream(`${prefix}-alerts`);
  const deadLetters = testStream(`${prefix}-dl`);
  const workers: Array<JetStreamWorker<Alert>> = [];

  beforeAll(async () => {
    nc = await connect({ servers: TEST_ENV.natsUrl });
    const jsm = await nc.jetstreamManager();
    await ensureStream(jsm, stream);
    await ensureStream(jsm, deadLetters);
    publisher = new JetStreamPublisher(async () => nc.jetstream());
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
  });

  afterAll(async () => {
    await deleteStreams(nc, [stream.name, deadLetters.name]);
    await nc.close();
  });

  /** A fresh durable consumer on its own subject, and a started worker on it. */
  async function startWorker(
    name: string,
    handler: JetStreamHandler<Alert>,
    options: Partial<JetStreamWorkerOptions<Alert>> & {
      maxDeliver?: number;
      ackWaitMs?: number;
      /** Runs after the consumer exists and before the worker starts (to queue a backlog). */
      beforeStart?: (subject: string) => Promise<void>;
    } = {},
  ): Promise<{ subject: string; outcomes: DeliveryOutcome[]; deadLetterSubject: string }> {
    const subject = `${stream.name}.${name}`;
    await ensureConsumer(
      await nc.jetstreamManager(),
      testConsumer(stream, name, {
        filter_subject: subject,
        max_deliver: options.maxDeliver ?? 6,
        ack_wait: nanos(options.ackWaitMs ?? 30_000),
      }),
    );
    const outcomes: DeliveryOutcome[] = [];
    const dlSubject = deadLetterSubject(stream.name, name, deadLetters.name);
    const { beforeStart, ...workerOptions } = options;
    await beforeStart?.(subject);
    const worker = new JetStreamWorker(async () => nc, {
      stream: stream.name,
      consumer: name,
      contract: alertContract,
      handler,
      service: 'it-service',
      logger: silentLogger,
      deadLetterSubject: dlSubject,
      retry: { baseDelayMs: 100, maxDelayMs: 1_000 },
      onOutcome: (outcome: DeliveryOutcome, _msg: JsMsg) => void outcomes.push(outcome),
      ...workerOptions,
    });
    workers.push(worker);
    await worker.start();
    return { subject, outcomes, deadLetterSubject: dlSubject };
  }

  async function publishAlert(subject: string, alert: Alert): Promise<number> {
    const ack = await publisher.publish(alertContract, {
      subject,
      value: alert,
      msgId: alert.alertId,
      headers: { 'x-trace-id': `trace-${alert.alertId}` },
    });
    return ack.seq;
  }

  async function consumerState(name: string): Promise<{ pending: number; ackPending: number }> {
    const info = await (await nc.jetstreamManager()).consumers.info(stream.name, name);
    return { pending: info.num_pending, ackPending: info.num_ack_pending };
  }

  async function deadLettersOn(
    subject: string,
  ): Promise<Array<{ data: string; headers: Record<string, string> }>> {
    const jsm = await nc.jetstreamManager();
    const info = await jsm.streams.info(deadLetters.name, { subjects_filter: subject });
    const count = info.state.subjects?.[subject] ?? 0;
    if (count === 0) return [];
    const out: Array<{ data: string; headers: Record<string, string> }> = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const stored = await jsm.streams.getMessage(deadLetters.name, { seq }).catch(() => undefined);
      if (stored?.subject !== subject) continue;
      out.push({
        data: new TextDecoder().decode(stored.data),
        headers: natsHeadersToRecord(stored.header),
      });
    }
    return out;
  }

  it('hands validated messages to the handler and acks them', async () => {
    const seen: Array<JetStreamMessage<Alert>> = [];
    const { subject, outcomes } = await startWorker('ok', async (m) => void seen.push(m));
    const alert = alertFor('dev-ok');
    const seq = await publishAlert(subject, alert);

    await waitFor(() => (outcomes.length > 0 ? true : undefined), { what: 'delivery' });
    expect(outcomes).toEqual(['acked']);
    expect(seen[0]).toMatchObject({ value: alert, subject, streamSequence: seq, deliveryCount: 1 });
    expect(seen[0]?.headers).toMatchObject({
      schema: 'alerts.telemetry/1',
      'x-trace-id': `trace-${alert.alertId}`,
    });
    await waitFor(async () => ((await consumerState('ok')).ackPending === 0 ? true : undefined));
    expect(await consumerState('ok')).toEqual({ pending: 0, ackPending: 0 });
  });

  it('naks a retryable failure with a delay: redelivered no earlier than the delay, then acked', async () => {
    const deliveries: Array<{ at: number; count: number }> = [];
    const { subject, outcomes } = await startWorker(
      'nak',
      async (m) => {
        deliveries.push({ at: Date.now(), count: m.deliveryCount });
        if (m.deliveryCount === 1) throw new RetryableError('DB_DOWN', 'database unavailable');
      },
      { retry: { baseDelayMs: 1_500, maxDelayMs: 1_500 } },
    );
    await publishAlert(subject, alertFor('dev-nak'));

    await waitFor(() => (outcomes.length >= 2 ? true : undefined), { what: 'redelivery' });
    expect(outcomes).toEqual(['nacked', 'acked']);
    expect(deliveries.map((d) => d.count)).toEqual([1, 2]);
    const [first, second] = deliveries;
    // A lower bound only: the server must hold the message back for the nak delay.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_400);
  });

  it('dead-letters after the last attempt: original data and headers plus dlq.* headers, then term', async () => {
    let calls = 0;
    const {
      subject,
      outcomes,
      deadLetterSubject: dl,
    } = await startWorker(
      'exhaust',
      async () => {
        calls += 1;
        throw new RetryableError('DB_DOWN', 'database unavailable');
      },
      { maxDeliver: 4 },
    );
    const alert = alertFor('dev-exhaust');
    const seq = await publishAlert(subject, alert);

    await waitFor(() => (outcomes.includes('dead-lettered') ? true : undefined), { what: 'DLQ' });
    // max_deliver 4 = 3 handler attempts + the spare delivery kept for crashes.
    expect(calls).toBe(3);
    expect(outcomes).toEqual(['nacked', 'nacked', 'dead-lettered']);
    const letters = await waitFor(async () => {
      const found = await deadLettersOn(dl);
      return found.length > 0 ? found : undefined;
    });
    expect(letters).toHaveLength(1);
    expect(JSON.parse(letters[0]!.data)).toEqual(alert);
    expect(letters[0]!.headers).toMatchObject({
      [HEADERS.SCHEMA]: 'alerts.telemetry/1',
      'x-trace-id': `trace-${alert.alertId}`,
      [HEADERS.DLQ_ORIGIN_TOPIC]: `nats:${subject}`,
      [HEADERS.DLQ_ORIGIN_OFFSET]: String(seq),
      [NATS_DLQ_HEADERS.ORIGIN_STREAM]: stream.name,
      [NATS_DLQ_HEADERS.ORIGIN_CONSUMER]: 'exhaust',
      [NATS_DLQ_HEADERS.ORIGIN_SUBJECT]: subject,
      [HEADERS.DLQ_SERVICE]: 'it-service',
      [HEADERS.DLQ_ERROR_CLASS]: 'RetryableError',
      [HEADERS.DLQ_ERROR_MESSAGE]: 'database unavailable',
      [HEADERS.DLQ_ATTEMPTS]: '3',
    });
    expect(Number(letters[0]!.headers[HEADERS.DLQ_ORIGIN_TIMESTAMP])).toBeGreaterThan(0);
    await waitFor(
      async () => ((await consumerState('exhaust')).ackPending === 0 ? true : undefined),
      {
        what: 'term',
      },
    );
  });

  it('dead-letters a non-retryable failure and an invalid payload on the first delivery', async () => {
    const {
      subject,
      outcomes,
      deadLetterSubject: dl,
    } = await startWorker('fatal', async () => {
      throw new NonRetryableError('UNKNOWN_DEVICE', 'device is not registered');
    });
    await publishAlert(subject, alertFor('dev-fatal'));
    await nc.jetstream().publish(subject, '{"not":"an alert"}');

    await waitFor(() => (outcomes.length >= 2 ? true : undefined), { what: 'two outcomes' });
    expect(outcomes).toEqual(['dead-lettered', 'dead-lettered']);
    const letters = await waitFor(async () => {
      const found = await deadLettersOn(dl);
      return found.length >= 2 ? found : undefined;
    });
    expect(
      letters.map((l) => [l.headers[HEADERS.DLQ_ERROR_CLASS], l.headers[HEADERS.DLQ_ATTEMPTS]]),
    ).toEqual([
      ['NonRetryableError', '1'],
      ['ContractViolationError', '1'],
    ]);
    expect(letters[1]!.data).toBe('{"not":"an alert"}');
  });

  it('dead-letters without running the handler a delivery past the last attempt (the attempt never reported back)', async () => {
    let calls = 0;
    const {
      subject,
      outcomes,
      deadLetterSubject: dl,
    } = await startWorker(
      'hung',
      () => {
        calls += 1;
        // Never settles, and stops renewing its lease at once: like a process that died.
        return new Promise<void>(() => undefined);
      },
      { maxDeliver: 2, ackWaitMs: 1_000, maxProcessingMs: 0, stopTimeoutMs: 100 },
    );
    await publishAlert(subject, alertFor('dev-hung'));

    await waitFor(() => (outcomes.includes('dead-lettered') ? true : undefined), { what: 'DLQ' });
    expect(calls).toBe(1);
    const letters = await deadLettersOn(dl);
    expect(letters[0]?.headers).toMatchObject({
      [HEADERS.DLQ_ERROR_CLASS]: 'DeliveriesExhausted',
      [HEADERS.DLQ_ATTEMPTS]: '2',
    });
  });

  it('runs at most `concurrency` handlers at once', async () => {
    let running = 0;
    let peak = 0;
    const { outcomes } = await startWorker(
      'bounded',
      async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 200));
        running -= 1;
      },
      {
        concurrency: 3,
        // A backlog before the worker starts: it could take all 15 at once if unbounded.
        beforeStart: async (subject) => {
          for (let i = 0; i < 15; i++) await publishAlert(subject, alertFor('dev-bounded', i));
        },
      },
    );

    await waitFor(() => (outcomes.length >= 15 ? true : undefined), { what: '15 acks' });
    expect(outcomes.every((o) => o === 'acked')).toBe(true);
    expect(peak).toBe(3);
  });

  it('stop() waits for the running handler, which still acks; what it did not start goes to the next worker', async () => {
    let release: () => void = () => undefined;
    let started = false;
    const handled: number[] = [];
    const { subject, outcomes } = await startWorker(
      'graceful',
      async (m) => {
        if (m.value.value === 90) {
          started = true;
          await new Promise<void>((resolve) => (release = resolve));
        }
        handled.push(m.value.value);
      },
      { concurrency: 1, ackWaitMs: 3_000 },
    );
    await publishAlert(subject, alertFor('dev-graceful', 0));
    await waitFor(() => (started ? true : undefined), { what: 'first handler running' });
    const worker = workers.pop()!;
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await publishAlert(subject, alertFor('dev-graceful', 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);

    release();
    await stopping;
    expect(handled).toEqual([90]);
    expect(outcomes).toEqual(['acked']);

    const next: number[] = [];
    await startWorker('graceful', async (m) => void next.push(m.value.value), { ackWaitMs: 3_000 });
    await waitFor(() => (next.length > 0 ? true : undefined), { what: 'second message' });
    expect(next).toEqual([91]);
  });
});
