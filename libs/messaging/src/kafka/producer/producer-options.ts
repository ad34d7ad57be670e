import { CompressionTypes, type RetryOptions } from 'kafkajs';
import { silentLogger, type MessagingLogger } from '../../logging/messaging-logger';

/** Compression codecs this producer can use without a native or third-party codec. */
export type ProducerCompression = 'gzip' | 'none';

/** Settings of a KafkaProducer; every one has a default that suits a service on this stack. */
export interface KafkaProducerOptions {
  /** How long a record may wait for companions before its batch is sent (Java `linger.ms`). Default 5. */
  lingerMs?: number;
  /** A batch is sent as soon as it holds this many records. Default 1000. */
  batchMaxRecords?: number;
  /** ...or this many bytes of keys, values and headers (uncompressed). Default 512 KiB. */
  batchMaxBytes?: number;
  /** Records waiting to be sent, in bytes, beyond which sends fail fast (Java `buffer.memory`). Default 32 MiB. */
  bufferMaxBytes?: number;
  /**
   * Upper bound from `send` to its outcome, including linger and kafkajs' retries
   * (Java `delivery.timeout.ms`). Past it the send fails with a retryable
   * KafkaDeliveryTimeoutError. Default 30 000.
   */
  deliveryTimeoutMs?: number;
  /** Time the broker may take to replicate a produce request (acks=all). Default 30 000. */
  requestTimeoutMs?: number;
  /** Default `gzip`: built into kafkajs and Node's zlib. */
  compression?: ProducerCompression;
  /** Auto-creation would give topics the broker's defaults, not their declared settings. Default false. */
  allowAutoTopicCreation?: boolean;
  /**
   * kafkajs' own retries of a produce request, instead of the client's: short ones suit a
   * caller that retries a failed send itself (it then notices a returning broker sooner).
   */
  retry?: RetryOptions;
  logger?: MessagingLogger;
}

/** Options with every default applied and checked. */
export interface ResolvedProducerOptions {
  lingerMs: number;
  batchMaxRecords: number;
  batchMaxBytes: number;
  bufferMaxBytes: number;
  deliveryTimeoutMs: number;
  requestTimeoutMs: number;
  compression: CompressionTypes;
  allowAutoTopicCreation: boolean;
  retry?: RetryOptions;
  logger: MessagingLogger;
}

export const PRODUCER_DEFAULTS = {
  lingerMs: 5,
  batchMaxRecords: 1000,
  batchMaxBytes: 512 * 1024,
  bufferMaxBytes: 32 * 1024 * 1024,
  deliveryTimeoutMs: 30_000,
  requestTimeoutMs: 30_000,
  compression: 'gzip',
  allowAutoTopicCreation: false,
} as const satisfies Required<Omit<KafkaProducerOptions, 'logger' | 'retry'>>;

const CODECS: Record<ProducerCompression, CompressionTypes> = {
  gzip: CompressionTypes.GZIP,
  none: CompressionTypes.None,
};

function checked(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`KafkaProducer option ${name} must be a number >= ${min} (got ${value})`);
  }
  return value;
}

/** Applies the defaults and rejects values that would make the producer misbehave. */
export function resolveProducerOptions(
  options: KafkaProducerOptions = {},
): ResolvedProducerOptions {
  const o = { ...PRODUCER_DEFAULTS, ...stripUndefined(options) };
  const compression = CODECS[o.compression];
  if (compression === undefined) {
    throw new RangeError(
      `KafkaProducer option compression must be gzip or none (got ${o.compression})`,
    );
  }
  return {
    lingerMs: checked('lingerMs', o.lingerMs, 0),
    batchMaxRecords: checked('batchMaxRecords', o.batchMaxRecords, 1),
    batchMaxBytes: checked('batchMaxBytes', o.batchMaxBytes, 1),
    bufferMaxBytes: checked('bufferMaxBytes', o.bufferMaxBytes, 1),
    deliveryTimeoutMs: checked('deliveryTimeoutMs', o.deliveryTimeoutMs, 1),
    requestTimeoutMs: checked('requestTimeoutMs', o.requestTimeoutMs, 1),
    compression,
    allowAutoTopicCreation: o.allowAutoTopicCreation,
    ...(options.retry ? { retry: options.retry } : {}),
    logger: options.logger ?? silentLogger,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
