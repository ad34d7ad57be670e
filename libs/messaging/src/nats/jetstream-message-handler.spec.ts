import { alertContract, type Alert } from '@streamline/contracts';
import type { JetStreamClient, JsMsg } from 'nats';
import { NonRetryableError, RetryableError } from '../errors/processing-error';
import { silentLogger } from '../logging/messaging-logger';
import {
  handleJetStreamDelivery,
  type JetStreamDeliveryContext,
  type JetStreamHandler,
} from './jetstream-message-handler';

const alert: Alert = {
  alertId: 'dev-1:threshold.max:temperature:1700000000000',
  deviceId: 'dev-1',
  rule: 'threshold.max',
  metric: 'temperature',
  value: 99,
  threshold: 80,
  windowStart: 1_700_000_000_000,
  windowEnd: 1_700_000_060_000,
};

/** What the fake message was told: the acknowledgement calls in order. */
function fakeMsg(deliveryCount: number, data: string = JSON.stringify(alert)) {
  const calls: string[] = [];
  const msg = {
    subject: 'alerts.telemetry.dev-1',
    seq: 7,
    data: new TextEncoder().encode(data),
    headers: undefined,
    info: { deliveryCount, timestampNanos: 1_700_000_000_000_000_000 },
    ack: () => calls.push('ack'),
    nak: (delay?: number) => calls.push(`nak:${delay ?? 0}`),
    term: () => calls.push('term'),
    working: () => calls.push('working'),
  };
  return { msg: msg as unknown as JsMsg, calls };
}

function context(
  handler: JetStreamHandler<Alert>,
  publish: (subject: string) => Promise<unknown> = async () => ({ seq: 1 }),
): { ctx: JetStreamDeliveryContext<Alert>; published: string[] } {
  const published: string[] = [];
  const js = {
    publish: async (subject: string) => {
      published.push(subject);
      return publish(subject);
    },
  } as unknown as JetStreamClient;
  return {
    published,
    ctx: {
      stream: 'ALERTS',
      consumer: 'sink',
      service: 'svc',
      contract: alertContract,
      handler,
      retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
      deadLetterSubject: 'deadletter.ALERTS.sink',
      ackWaitMs: 30_000,
      maxProcessingMs: 60_000,
      js,
      logger: silentLogger,
    },
  };
}

describe('handleJetStreamDelivery', () => {
  it('acks after the handler resolved, with the validated value', async () => {
    const seen: Alert[] = [];
    const { msg, calls } = fakeMsg(1);
    const { ctx, published } = context(async (m) => void seen.push(m.value));
    await expect(handleJetStreamDelivery(msg, ctx)).resolves.toBe('acked');
    expect(calls).toEqual(['ack']);
    expect(seen).toEqual([alert]);
    expect(published).toEqual([]);
  });

  it('naks a retryable failure with the backoff of its delivery count', async () => {
    const { msg, calls } = fakeMsg(2);
    const { ctx } = context(async () => {
      throw new RetryableError('DOWN', 'down');
    });
    await expect(handleJetStreamDelivery(msg, ctx)).resolves.toBe('nacked');
    expect(calls).toEqual(['nak:200']);
  });

  it('dead-letters then terms on the last attempt, and on a non-retryable failure', async () => {
    for (const [count, error] of [
      [3, new RetryableError('DOWN', 'down')],
      [1, new NonRetryableError('BAD', 'bad')],
    ] as const) {
      const { msg, calls } = fakeMsg(count);
      const { ctx, published } = context(async () => {
        throw error;
      });
      await expect(handleJetStreamDelivery(msg, ctx)).resolves.toBe('dead-lettered');
      expect(published).toEqual(['deadletter.ALERTS.sink']);
      expect(calls).toEqual(['term']);
    }
  });

  it('dead-letters an invalid payload without calling the handler', async () => {
    const handler = jest.fn(async () => undefined);
    const { msg, calls } = fakeMsg(1, '{"alertId":1}');
    const { ctx, published } = context(handler);
    await expect(handleJetStreamDelivery(msg, ctx)).resolves.toBe('dead-lettered');
    expect(handler).not.toHaveBeenCalled();
    expect(published).toHaveLength(1);
    expect(calls).toEqual(['term']);
  });

  it('dead-letters a delivery past the last attempt without calling the handler', async () => {
    const handler = jest.fn(async () => undefined);
    const { msg, calls } = fakeMsg(4);
    const { ctx } = context(handler);
    await expect(handleJetStreamDelivery(msg, ctx)).resolves.toBe('dead-lettered');
    expect(handler).not.toHaveBeenCalled();
    expect(calls).toEqual(['term']);
  });

  it('keeps the message (nak, no term) when the dead letter cannot be stored', async () => {
    const { msg, calls } = fakeMsg(1);
    const { ctx } = context(
      async () => {
        throw new NonRetryableError('BAD', 'bad');
      },
      async () => {
        throw new Error('no responders');
      },
    );
    await expect(handleJetStreamDelivery(msg, ctx)).resolves.toBe('nacked');
    expect(calls).toEqual(['nak:100']);
  });
});
