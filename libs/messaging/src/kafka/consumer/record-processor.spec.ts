import { contractHeaders, HEADERS, telemetryContract } from '@streamline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { NonRetryableError, RetryableError } from '../../errors/processing-error';
import { silentLogger } from '../../logging/messaging-logger';
import { ConsumerMetrics } from '../metrics/consumer-metrics';
import type { DeadLetterSink } from '../retry/dead-letter-publisher';
import {
  headerValue,
  RETRY_GROUP_HEADER,
  type OutgoingFailureRecord,
} from '../retry/failure-headers';
import { resolveFailurePolicy } from '../retry/failure-policy';
import { rawValueDecoder, type HandlerRegistration, type RecordContext } from './consumer-options';
import { resolveHandler } from './handler-resolution';
import { RecordProcessor } from './record-processor';

const TOPIC = 'unit.telemetry.v1';
const NOW = 1_700_000_000_000;
const valid = JSON.stringify({
  deviceId: 'd-1',
  ts: NOW - 1_000,
  seq: 1,
  metrics: { t: 1 },
  ingestedAt: NOW - 500,
});

function message(value: string | null, headers: Record<string, string> = {}): KafkaMessage {
  return {
    key: Buffer.from('d-1'),
    value: value === null ? null : Buffer.from(value),
    timestamp: '1699999999000',
    attributes: 0,
    offset: '7',
    headers: { ...contractHeaders(telemetryContract), ...headers },
  } as KafkaMessage;
}

class RecordingSink implements DeadLetterSink {
  readonly sent: Array<{ topic: string; record: OutgoingFailureRecord }> = [];
  failuresLeft = 0;

  async send(topic: string, record: OutgoingFailureRecord): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('broker unavailable');
    }
    this.sent.push({ topic, record });
  }
}

function setup(
  handler: HandlerRegistration['handler'],
  overrides: Partial<HandlerRegistration> = {},
) {
  const sink = new RecordingSink();
  const registration = resolveHandler(
    {
      topic: TOPIC,
      contract: telemetryContract as HandlerRegistration['contract'],
      handler,
      failurePolicy: { maxAttempts: 3, backoff: { initialMs: 1_000, jitter: 0 } },
      ...overrides,
    },
    resolveFailurePolicy(),
  );
  const processor = new RecordProcessor(new Map([[registration.topic, registration]]), {
    groupId: 'unit.group',
    service: 'unit-service',
    sink,
    metrics: new ConsumerMetrics('unit.group'),
    logger: silentLogger,
    now: () => NOW,
  });
  return { sink, processor, topic: registration.topic };
}

const signal = () => new AbortController().signal;

describe('RecordProcessor', () => {
  it('gives the handler the validated value and the record context', async () => {
    const seen: Array<{ value: unknown; context: RecordContext }> = [];
    const { processor, sink } = setup((value, context) => {
      seen.push({ value, context });
    });
    // A synchronous handler is processed synchronously: no promise, no microtask.
    expect(processor.process(TOPIC, 2, message(valid), signal())).toBe(true);
    expect(sink.sent).toHaveLength(0);
    expect(seen[0]?.value).toMatchObject({ deviceId: 'd-1', seq: 1 });
    expect(seen[0]?.context).toMatchObject({
      topic: TOPIC,
      partition: 2,
      offset: '7',
      key: 'd-1',
      timestamp: '1699999999000',
      attempt: 1,
      headers: { schema: 'iot.telemetry/1', 'content-type': 'application/json' },
    });
  });

  it('waits for an asynchronous handler before the record counts as done', async () => {
    let finish: () => void = () => undefined;
    const { processor } = setup(() => new Promise<void>((resolve) => (finish = resolve)));
    const outcome = processor.process(TOPIC, 0, message(valid), signal());
    expect(outcome).toBeInstanceOf(Promise);
    let settled = false;
    void Promise.resolve(outcome).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    finish();
    await expect(outcome).resolves.toBe(true);
  });

  it('sends a record that breaks its contract to the DLQ without calling the handler', async () => {
    const handler = jest.fn();
    const { processor, sink } = setup(handler);
    await expect(processor.process(TOPIC, 0, message('{"deviceId":'), signal())).resolves.toBe(
      true,
    );
    expect(handler).not.toHaveBeenCalled();
    expect(sink.sent.map((s) => s.topic)).toEqual([`${TOPIC}.dlq`]);
    const headers = sink.sent[0]?.record.headers;
    expect(headerValue(headers, HEADERS.DLQ_ERROR_CLASS)).toBe('ContractViolationError');
    expect(headerValue(headers, HEADERS.DLQ_ATTEMPTS)).toBe('1');
    expect(headerValue(headers, HEADERS.DLQ_SERVICE)).toBe('unit-service');
  });

  it('routes a retryable failure to <topic>.retry due after the backoff, for the next attempt', async () => {
    const { processor, sink } = setup(() => {
      throw new RetryableError('UPSTREAM_DOWN', 'db timeout');
    });
    await expect(processor.process(TOPIC, 1, message(valid), signal())).resolves.toBe(true);
    expect(sink.sent.map((s) => s.topic)).toEqual([`${TOPIC}.retry`]);
    const headers = sink.sent[0]?.record.headers;
    expect(headerValue(headers, HEADERS.RETRY_ATTEMPT)).toBe('2');
    expect(headerValue(headers, HEADERS.RETRY_NOT_BEFORE)).toBe(String(NOW + 1_000));
    expect(headerValue(headers, HEADERS.RETRY_ERROR)).toBe('UPSTREAM_DOWN: db timeout');
    expect(headerValue(headers, RETRY_GROUP_HEADER)).toBe('unit.group');
  });

  it('treats an unknown error as retryable', async () => {
    const { processor, sink } = setup(() => {
      throw new TypeError('undefined is not a function');
    });
    await processor.process(TOPIC, 0, message(valid), signal());
    expect(sink.sent[0]?.topic).toBe(`${TOPIC}.retry`);
  });

  it('dead-letters a non-retryable failure at once, and a retryable one on its last attempt', async () => {
    const refused = setup(() => {
      throw new NonRetryableError('BAD_STATE', 'device unknown');
    });
    await refused.processor.process(TOPIC, 0, message(valid), signal());
    expect(refused.sink.sent[0]?.topic).toBe(`${TOPIC}.dlq`);
    expect(headerValue(refused.sink.sent[0]?.record.headers, HEADERS.DLQ_ERROR_CLASS)).toBe(
      'NonRetryableError',
    );

    const attempts: number[] = [];
    const last = setup((_value, context) => {
      attempts.push(context.attempt);
      throw new RetryableError('UPSTREAM_DOWN', 'still down');
    });
    const third = message(valid, {
      [HEADERS.RETRY_ATTEMPT]: '3',
      [RETRY_GROUP_HEADER]: 'unit.group',
    });
    await last.processor.process(TOPIC, 0, third, signal());
    expect(attempts).toEqual([3]);
    expect(last.sink.sent[0]?.topic).toBe(`${TOPIC}.dlq`);
    expect(headerValue(last.sink.sent[0]?.record.headers, HEADERS.DLQ_ATTEMPTS)).toBe('3');
  });

  it('skips (as done) a retry addressed to another group, without calling the handler', async () => {
    const handler = jest.fn();
    const { processor, sink } = setup(handler);
    const foreign = message(valid, {
      [HEADERS.RETRY_ATTEMPT]: '2',
      [RETRY_GROUP_HEADER]: 'someone.else',
    });
    expect(processor.process(TOPIC, 0, foreign, signal())).toBe(true);
    expect(handler).not.toHaveBeenCalled();
    expect(sink.sent).toHaveLength(0);
  });

  it('keeps writing a dead letter that Kafka refuses until it is acknowledged', async () => {
    const { processor, sink } = setup(() => {
      throw new NonRetryableError('BAD', 'bad');
    });
    sink.failuresLeft = 2;
    await expect(processor.process(TOPIC, 0, message(valid), signal())).resolves.toBe(true);
    expect(sink.sent).toHaveLength(1);
    expect(sink.failuresLeft).toBe(0);
  });

  it('reports the record as not done when stopped while its dead letter cannot be written', async () => {
    const { processor, sink } = setup(() => {
      throw new NonRetryableError('BAD', 'bad');
    });
    sink.failuresLeft = Number.MAX_SAFE_INTEGER;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(processor.process(TOPIC, 0, message(valid), controller.signal)).resolves.toBe(
      false,
    );
    expect(sink.sent).toHaveLength(0);
  });

  it('retries a failing handler of a .dlq topic in place, with the raw value', async () => {
    const seen: Array<{ value: unknown; attempt: number }> = [];
    const { processor, sink, topic } = setup(
      (value, context) => {
        seen.push({ value, attempt: context.attempt });
        if (context.attempt < 2) throw new RetryableError('DB_DOWN', 'db down');
      },
      {
        topic: `${TOPIC}.dlq`,
        contract: undefined,
        decode: rawValueDecoder as HandlerRegistration['decode'],
        failurePolicy: { backoff: { initialMs: 1, jitter: 0 } },
      },
    );
    await expect(processor.process(topic, 0, message('anything'), signal())).resolves.toBe(true);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2]);
    expect(Buffer.isBuffer(seen[0]?.value)).toBe(true);
    expect(sink.sent).toHaveLength(0);
  });

  it('treats a custom decoder that throws as a failure of the record, not of the consumer', async () => {
    const { processor, sink } = setup(jest.fn(), {
      decode: () => {
        throw new NonRetryableError('UNDECODABLE', 'no');
      },
    });
    await expect(processor.process(TOPIC, 0, message(valid), signal())).resolves.toBe(true);
    expect(sink.sent[0]?.topic).toBe(`${TOPIC}.dlq`);
  });
});
