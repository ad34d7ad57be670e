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
