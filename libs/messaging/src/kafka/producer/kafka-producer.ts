import type { Kafka, Message } from 'kafkajs';
import { IdempotentBatchSender, type DeliveryReport } from './batch-sender';
import {
  KafkaDeliveryTimeoutError,
  KafkaProducerBufferFullError,
  KafkaProducerClosedError,
  toSendError,
} from './producer-errors';
import { LingerBuffer, type BufferedEntry } from './linger-buffer';
import { producerMetrics, type SendResult } from './producer-metrics';
import {
  resolveProducerOptions,
  type KafkaProducerOptions,
  type ResolvedProducerOptions,
} from './producer-options';
import { encodeRecord, type KafkaRecord } from './producer-record';

export type { DeliveryReport };

/** Called once per record with its outcome: an error, or the delivery report. */
export type DeliveryCallback = (error: Error | undefined, report?: DeliveryReport) => void;

const DISCONNECT_GRACE_MS = 5_000;

type Mode = 'await' | 'callback' | 'forget';

interface PendingRecord extends BufferedEntry {
  topic: string;
  message: Message;
  mode: Mode;
  settle: DeliveryCallback;
}

/**
 * The services' Kafka producer: idempotent, acks=all, batched with linger, compressed,
 * keyed like the Java client, contract-checked, and never hanging (every send ends within
 * `deliveryTimeoutMs`). Three ways to send: `send` (await the acknowledgement),
 * `sendWithCallback`, and `sendAndForget` (failures counted and logged, never thrown).
 */
export class KafkaProducer {
  private readonly options: ResolvedProducerOptions;
  private readonly buffer: LingerBuffer<PendingRecord>;
  private readonly metrics = producerMetrics();
  private readonly sender: IdempotentBatchSender;
  private closing: Promise<void> | undefined;
  private unsettled = 0;
  private settledWaiters: Array<() => void> = [];

  constructor(kafka: Kafka, options: KafkaProducerOptions = {}) {
    this.options = resolveProducerOptions(options);
    this.sender = new IdempotentBatchSender(kafka, this.options);
    this.buffer = new LingerBuffer<PendingRecord>(this.options, {
      send: (batch) => this.sendBatch(batch),
      expire: (entries) => this.fail(entries, 'timeout', (topic) => this.timeoutError(topic)),
    });
  }

  /** Connects now (sends connect lazily otherwise); rejects when the cluster cannot be reached. */
  async connect(): Promise<void> {
    await this.sender.connect();
  }

  /** Sends a record and resolves with its partition and offset once all in-sync replicas have it. */
  send<T>(record: KafkaRecord<T>): Promise<DeliveryReport> {
    return new Promise((resolve, reject) => {
      this.enqueue(record, 'await', (error, report) => {
        if (error !== undefined || report === undefined) reject(error);
        else resolve(report);
      });
    });
  }

  /** Sends a record and calls `callback` once with the outcome; never throws. */
  sendWithCallback<T>(record: KafkaRecord<T>, callback: DeliveryCallback): void {
    this.enqueue(record, 'callback', callback);
  }

  /** Sends a record nobody waits for: a failure is counted in `kafka_producer_records_total` and logged. */
  sendAndForget<T>(record: KafkaRecord<T>): void {
    this.enqueue(record, 'forget', () => undefined);
  }

  /** Sends what lingers now and resolves when every record handed over so far has its outcome. */
  async flush(): Promise<void> {
    void this.buffer.flush();
    await this.allSettled();
  }

  /** Refuses new records, flushes the linger buffer, waits for every outcome, then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.flush();
      await this.disconnect();
      // A send kafkajs still retries after its callers timed out may reconnect: disconnect again when it ends.
      void this.buffer.whenIdle().then(() => this.disconnect());
    })();
    return this.closing;
  }

  /** Disconnects, giving up after DISCONNECT_GRACE_MS: kafkajs may wait for a broker that never answers. */
  private async disconnect(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), DISCONNECT_GRACE_MS);
    });
    const disconnected = this.sender.disconnect().then(
      () => 'done' as const,
      (error: unknown) => {
        this.options.logger.warn({ err: error }, 'Kafka producer disconnect failed');
        return 'done' as const;
      },
    );
    try {
      if ((await Promise.race([disconnected, gaveUp])) === 'timeout') {
        this.options.logger.warn(
          { graceMs: DISCONNECT_GRACE_MS },
          'Kafka producer disconnect timed out',
        );
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private enqueue<T>(record: KafkaRecord<T>, mode: Mode, settle: DeliveryCallback): void {
    const topic = String(record.topic);
    const now = Date.now();
    const fail = (result: SendResult, error: Error) => {
      this.metrics.count(topic, result, 1);
      if (mode === 'forget')
        this.options.logger.error({ topic, err: error }, 'Kafka record not sent');
      this.callSafely(settle, error);
    };
    if (this.closing !== undefined) return fail('error', new KafkaProducerClosedError());
    let encoded;
    try {
      encoded = encodeRecord(record, now);
    } catch (error) {
      return fail('invalid', error instanceof Error ? error : new Error(String(error)));
    }
    const pending: PendingRecord = {
      topic,
      message: encoded.message,
      bytes: encoded.bytes,
      queuedAt: now,
      deadline: now + this.options.deliveryTimeoutMs,
      mode,
      settle,
    };
    this.unsettled += 1;
    if (!this.buffer.add(pending)) {
      this.fail(
        [pending],
        'error',
        () => new KafkaProducerBufferFullError(this.options.bufferMaxBytes),
      );
    }
  }

  private async sendBatch(batch: PendingRecord[]): Promise<void> {
    let settled = false;
    const oldest = batch[0] as PendingRecord;
    const timer = setTimeout(
      () => {
        settled = true;
        this.fail(batch, 'timeout', (topic) => this.timeoutError(topic));
      },
      Math.max(0, oldest.deadline - Date.now()),
    );
    try {
      const reports = await this.sender.send(batch);
      if (!settled) this.succeed(batch, reports);
    } catch (error) {
      if (!settled) {
        const sendError = toSendError(error);
        this.fail(batch, 'error', () => sendError);
      } else {
        this.options.logger.warn(
          { err: error, records: batch.length },
          'Kafka send failed after its delivery timeout',
        );
      }
    } finally {
      settled = true;
      clearTimeout(timer);
    }
  }

  private succeed(batch: PendingRecord[], reports: DeliveryReport[]): void {
    const now = Date.now();
    const counts = new Map<string, number>();
    batch.forEach((record, i) => {
      counts.set(record.topic, (counts.get(record.topic) ?? 0) + 1);
      this.metrics.observeDuration(record.topic, (now - record.queuedAt) / 1000);
      this.settleOne(record, undefined, reports[i]);
    });
    for (const [topic, n] of counts) this.metrics.count(topic, 'success', n);
  }

  private fail(
    batch: PendingRecord[],
    result: SendResult,
    errorFor: (topic: string) => Error,
  ): void {
    const errors = new Map<string, Error>();
    const forgotten = new Map<string, number>();
    for (const record of batch) {
      let error = errors.get(record.topic);
      if (error === undefined) {
        error = errorFor(record.topic);
        errors.set(record.topic, error);
      }
      if (record.mode === 'forget')
        forgotten.set(record.topic, (forgotten.get(record.topic) ?? 0) + 1);
      this.settleOne(record, error);
    }
    for (const [topic, error] of errors) {
      this.metrics.count(topic, result, batch.filter((r) => r.topic === topic).length);
      const lost = forgotten.get(topic);
      if (lost !== undefined) {
        this.options.logger.error(
          { topic, records: lost, err: error },
          'fire-and-forget Kafka records not sent',
        );
      }
    }
  }

  private settleOne(
    record: PendingRecord,
    error: Error | undefined,
    report?: DeliveryReport,
  ): void {
    this.callSafely(record.settle, error, report);
    this.unsettled -= 1;
    if (this.unsettled === 0) {
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private callSafely(
    callback: DeliveryCallback,
    error: Error | undefined,
    report?: DeliveryReport,
  ): void {
    try {
      callback(error, report);
    } catch (thrown) {
      // A caller's callback must not break delivery of the other records in its batch.
      this.options.logger.error({ err: thrown }, 'Kafka delivery callback threw');
    }
  }

  private allSettled(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private timeoutError(topic: string): Error {
    return new KafkaDeliveryTimeoutError(topic, this.options.deliveryTimeoutMs);
  }
}
