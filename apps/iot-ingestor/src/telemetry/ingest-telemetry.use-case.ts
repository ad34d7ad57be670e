import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import {
  encodeRecord,
  sendUntilAcknowledged,
  type ContractRecord,
  type KafkaProducer,
  type KafkaRecord,
  type SendUntilAcknowledgedPolicy,
} from '@streamline/messaging';
import { KafkaProducerService } from '@streamline/nest-messaging';
import { IngestAbortedError } from '../common/ingest-aborted.error';
import { produceRetryReporter } from '../common/produce-retry-reporter';
import { DeviceTopicPattern } from '../mqtt/device-topic';
import { PRESENCE_TOUCHER, type PresenceToucher } from '../presence/presence-refresher';
import { TELEMETRY_SPOOL } from '../spool/spool.tokens';
import type { SpooledRecord, TelemetrySpool } from '../spool/telemetry-spool';
import { IngestMetrics } from '../common/ingest.metrics';
import { INGEST_SETTINGS, type IngestSettings } from './ingest-settings';
import { deadLetterRecord, type DeadLetterContext } from './telemetry-dead-letter';
import { decodeTelemetry } from './telemetry-decoder';
import { TELEMETRY_FAULTS, type TelemetryFault } from './telemetry-faults';

/** One MQTT telemetry message as the handler hands it over. */
export interface TelemetryMessage {
  topic: string;
  payload: Buffer;
  /** Epoch ms at which the ingestor received it. */
  receivedAt: number;
  /** W3C trace context from the MQTT 5 `traceparent` user property. */
  traceparent?: string;
}

/** What became of a message: readings now in Kafka, and dead letters (payloads or readings). */
export interface IngestOutcome {
  deviceId: string;
  produced: number;
  deadLettered: number;
}

function isReading(record: KafkaRecord): record is ContractRecord<TelemetryRecord> {
  return 'contract' in record && record.contract === telemetryContract;
}

/** What the use case sends with: the service's KafkaProducer (acks=all, idempotent). */
export type RecordSender = Pick<KafkaProducer, 'send'>;

/**
 * The telemetry path: decode and validate, produce each valid reading to the telemetry topic
 * (key = deviceId, contract headers, acks=all) and dead-letter each fault with its original
 * bytes; resolves only when Kafka acknowledged every one of them, retrying for as long as it
 * takes (the MQTT ack waits meanwhile), so the caller may ack the MQTT message then.
 */
@Injectable()
export class IngestTelemetryUseCase {
  private readonly logger = new Logger(IngestTelemetryUseCase.name);
  private readonly topics: DeviceTopicPattern;
  private readonly reportRetry: ReturnType<typeof produceRetryReporter>;

  constructor(
    @Inject(KafkaProducerService) private readonly sender: RecordSender,
    @Inject(PRESENCE_TOUCHER) private readonly presence: PresenceToucher,
    private readonly metrics: IngestMetrics,
    @Inject(INGEST_SETTINGS) private readonly settings: IngestSettings,
    /** Spool mode: records go to the local spool (durable), the drainer takes them to Kafka. */
    @Optional() @Inject(TELEMETRY_SPOOL) private readonly spool?: TelemetrySpool,
  ) {
    this.topics = new DeviceTopicPattern(settings.telemetryFilter);
    this.reportRetry = produceRetryReporter(
      this.logger,
      metrics,
      'Kafka did not acknowledge; retrying, MQTT acks held',
    );
  }

  /** Ingests one message; rejects only with IngestAbortedError (the MQTT ack can no longer be sent). */
  async execute(message: TelemetryMessage, signal: AbortSignal): Promise<IngestOutcome> {
    const device = this.topics.deviceOf(message.topic) ?? { deviceId: '', safe: false };
    const startedAt = Date.now();
    const decoded = decodeTelemetry(device, message.payload, startedAt, {
      maxPayloadBytes: this.settings.maxPayloadBytes,
      maxFutureMs: this.settings.maxFutureMs,
    });
    if (device.safe) this.presence.touch(device.deviceId, message.receivedAt);
    const context: DeadLetterContext = {
      dlqTopic: this.settings.dlqTopic,
      mqttTopic: message.topic,
      key: device.deviceId,
      receivedAt: message.receivedAt,
      service: this.settings.service,
      maxValueBytes: this.settings.maxDlqValueBytes,
      ...(message.traceparent ? { traceparent: message.traceparent } : {}),
    };
    // Prevalidated: the decoder built each record from a validated reading (its spec proves
    // every one satisfies telemetryContract); a second validation costs more than the rest.
    const readings: Array<ContractRecord<TelemetryRecord>> = decoded.readings.map((reading) => ({
      topic: this.settings.telemetryTopic,
      contract: telemetryContract,
      key: reading.record.deviceId,
      value: reading.record,
      prevalidated: true,
      ...(message.traceparent ? { traceparent: message.traceparent } : {}),
    }));
    const faults = [...decoded.faults];
    if (this.spool) {
      const letters = faults.map((fault) => deadLetterRecord(fault, context));
      await this.toSpool(this.spool, [...readings, ...letters], message, signal);
      for (const fault of faults) this.metrics.invalidInput('telemetry', fault.kind.reason);
      return { deviceId: device.deviceId, produced: readings.length, deadLettered: faults.length };
    }
    const result = await this.deliver(
      [...readings, ...faults.map((fault) => deadLetterRecord(fault, context))],
      signal,
      (index) => index < readings.length,
    );
    // A valid reading Kafka refuses for good (not a passing fault) is kept in the DLQ instead.
    const refused: TelemetryFault[] = result.refused.map(({ index, failure }) => ({
      kind: TELEMETRY_FAULTS.KAFKA_REJECTED,
      message: `${failure.code}: ${failure.message}`,
      value: decoded.readings[index]?.source ?? message.payload,
    }));
    if (refused.length > 0) {
      await this.deliver(
        refused.map((fault) => deadLetterRecord(fault, context)),
        signal,
      );
      faults.push(...refused);
    }
    const ackedAt = Date.now();
    const produced = readings.length - refused.length;
    this.recordMetrics(decoded.readings, result.acknowledged, ackedAt, startedAt, faults, produced);
    return { deviceId: device.deviceId, produced, deadLettered: faults.length };
  }

  /** Encodes the records (the producer's own encoding) and stores them durably in the spool. */
  private async toSpool(
    spool: TelemetrySpool,
    records: KafkaRecord[],
    message: TelemetryMessage,
    signal: AbortSignal,
  ): Promise<void> {
    const now = Date.now();
    const spooled = records.map((record): SpooledRecord => {
      const { topic, message: encoded } = encodeRecord(record, now);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(encoded.headers ?? {})) {
        if (value !== undefined) headers[name] = String(value);
      }
      return {
        topic,
        key: encoded.key === null || encoded.key === undefined ? null : String(encoded.key),
        value: Buffer.isBuffer(encoded.value) ? encoded.value : Buffer.from(encoded.value ?? ''),
        headers,
        mqttTopic: message.topic,
        receivedAt: message.receivedAt,
        ...(isReading(record) ? { eventTs: record.value.ts } : {}),
      };
    });
    try {
      await spool.append(spooled, signal);
    } catch (error) {
      if (signal.aborted) throw new IngestAbortedError();
      throw error;
    }
  }

  /** Sends until Kafka acknowledged each record (or refused one allowed back); throws if aborted. */
  private async deliver(
    records: KafkaRecord[],
    signal: AbortSignal,
    canGiveBack?: (index: number) => boolean,
  ) {
    const result = await sendUntilAcknowledged(
      (record: KafkaRecord) => this.sender.send(record),
      records,
      this.policy(signal, canGiveBack),
    );
    if (result.aborted) throw new IngestAbortedError();
    return result;
  }

  private policy(
    signal: AbortSignal,
    canGiveBack?: (index: number) => boolean,
  ): SendUntilAcknowledgedPolicy {
    return {
      backoff: this.settings.retryBackoff,
      signal,
      ...(canGiveBack ? { canGiveBack } : {}),
      onRetry: this.reportRetry,
    };
  }

  private recordMetrics(
    readings: ReadonlyArray<{ record: TelemetryRecord }>,
    reports: ReadonlyMap<number, unknown>,
    ackedAt: number,
    startedAt: number,
    faults: readonly TelemetryFault[],
    produced: number,
  ): void {
    this.metrics.readingsProduced(produced);
    readings.forEach((reading, index) => {
      if (reports.has(index)) this.metrics.observeLag((ackedAt - reading.record.ts) / 1000);
    });
    for (const fault of faults) this.metrics.invalidInput('telemetry', fault.kind.reason);
    this.metrics.observeProduce((ackedAt - startedAt) / 1000);
  }
}
