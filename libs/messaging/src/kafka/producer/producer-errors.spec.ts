import { ProcessingError } from '../../errors/processing-error';
import { toSendError } from './producer-errors';
import { resolveProducerOptions, PRODUCER_DEFAULTS } from './producer-options';
import { CompressionTypes } from 'kafkajs';

const kafkajsError = (name: string, retriable: boolean, type?: string) =>
  Object.assign(new Error(`${name} happened`), { name, retriable, type });

describe('toSendError', () => {
  it('is retryable when kafkajs gave up on a fault that may pass', () => {
    const error = toSendError(kafkajsError('KafkaJSNumberOfRetriesExceeded', false));
    expect(error).toBeInstanceOf(ProcessingError);
    expect(error).toMatchObject({ code: 'KAFKA_SEND_FAILED', retryable: true });
    expect(toSendError(kafkajsError('KafkaJSConnectionError', true)).retryable).toBe(true);
  });

  it('is not retryable when the broker refused the record itself', () => {
    const error = toSendError(kafkajsError('KafkaJSProtocolError', false, 'MESSAGE_TOO_LARGE'));
    expect(error).toMatchObject({ code: 'KAFKA_SEND_REJECTED', retryable: false });
    expect(error.message).toContain('MESSAGE_TOO_LARGE');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('walks the cause chain: exhausted retries of a refused connection stay retryable', () => {
    // What kafkajs 2.2.4 rejects with when a broker is down past its retries (retry/index.js):
    // KafkaJSNonRetriableError(retriable: false) → KafkaJSNumberOfRetriesExceeded → the socket fault.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const connection = Object.assign(
      new Error('Connection error: connect ECONNREFUSED', { cause: refused }),
      { name: 'KafkaJSConnectionError', retriable: true },
    );
    const exhausted = Object.assign(new Error(connection.message, { cause: connection }), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
    });
    const outer = Object.assign(new Error(connection.message, { cause: exhausted }), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
    });
    expect(toSendError(outer)).toMatchObject({ code: 'KAFKA_SEND_FAILED', retryable: true });
    // Also when only the socket error tells: a non-retriable wrapper around ECONNREFUSED.
    const bare = Object.assign(new Error('gave up', { cause: refused }), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
    });
    expect(toSendError(bare).retryable).toBe(true);
  });

  it('is final when the broker refused the record, however deep kafkajs wrapped it', () => {
    const tooLarge = kafkajsError('KafkaJSProtocolError', false, 'MESSAGE_TOO_LARGE');
    const outer = Object.assign(new Error('wrapped', { cause: tooLarge }), {
      name: 'KafkaJSNonRetriableError',
      retriable: false,
    });
    const error = toSendError(outer);
    expect(error).toMatchObject({ code: 'KAFKA_SEND_REJECTED', retryable: false });
    expect(error.message).toContain('MESSAGE_TOO_LARGE');
    // A request kafkajs refused before sending (no transient fault anywhere) is final too.
    const invalid = kafkajsError('KafkaJSNonRetriableError', false);
    expect(toSendError(invalid).retryable).toBe(false);
  });

  it('stops on a cause cycle', () => {
    const a = Object.assign(new Error('a'), { name: 'KafkaJSNonRetriableError', retriable: false });
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(toSendError(a)).toMatchObject({ code: 'KAFKA_SEND_REJECTED' });
  });

  it('keeps a ProcessingError as it is and wraps a non-error', () => {
    const original = new ProcessingError('X', 'x', false);
    expect(toSendError(original)).toBe(original);
    expect(toSendError('weird')).toMatchObject({ code: 'KAFKA_SEND_FAILED', retryable: true });
  });
});

describe('resolveProducerOptions', () => {
  it('applies the defaults: gzip, 5 ms linger, 30 s delivery timeout, no topic auto-creation', () => {
    const options = resolveProducerOptions({ lingerMs: undefined });
    expect(options).toMatchObject({
      lingerMs: 5,
      deliveryTimeoutMs: 30_000,
      compression: CompressionTypes.GZIP,
      allowAutoTopicCreation: false,
      batchMaxRecords: PRODUCER_DEFAULTS.batchMaxRecords,
    });
    expect(resolveProducerOptions({ compression: 'none' }).compression).toBe(CompressionTypes.None);
  });

  it('refuses values that would make the producer misbehave, naming the option', () => {
    expect(() => resolveProducerOptions({ deliveryTimeoutMs: 0 })).toThrow(/deliveryTimeoutMs/);
    expect(() => resolveProducerOptions({ lingerMs: -1 })).toThrow(/lingerMs/);
    expect(() => resolveProducerOptions({ batchMaxRecords: Number.NaN })).toThrow(
      /batchMaxRecords/,
    );
    expect(() => resolveProducerOptions({ compression: 'zstd' as 'gzip' })).toThrow(/compression/);
  });
});
