import { Inject, Injectable, Logger } from '@nestjs/common';
import { contractHeaders, telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import type { RawRecord } from '@streamline/messaging';
import { KAFKA_PRODUCER } from '../kafka/kafka-producer.provider';
import { deliverAll, type DeliveryPolicy, type RecordSender } from '../kafka/persistent-delivery';
import { DeviceTopicPattern } from '../mqtt/device-topic';
import { PRESENCE_TOUCHER, type PresenceToucher } from '../presence/presence-refresher';
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

/** Retry warnings are logged at most this often: every in-flight message retries during an outage. */
const RETRY_LOG_INTERVAL_MS = 5_000;

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
  private lastRetryLog = 0;

  constructor(
    @Inject(KAFKA_PRODUCER) private readonly sender: RecordSender,
    @Inject(PRESENCE_TOUCHER) private readonly presence: PresenceToucher,
    private readonly metrics: IngestMetrics,
    @Inject(INGEST_SETTINGS) private readonly settings: IngestSettings,
  ) {
    this.topics = new DeviceTopicPattern(settings.telemetryFilter);
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
    // Sent as JSON with the contract headers, not as contract records: the decoder built each
    // record from a validated reading (its spec proves every one satisfies telemetryContract),
    // and a second validation per reading costs more than the rest of the path.
    const headers = contractHeaders(telemetryContract, message.traceparent);
    const readings: RawRecord[] = decoded.readings.map((reading) => ({
      topic: this.settings.telemetryTopic,
      key: reading.record.deviceId,
      value: JSON.stringify(reading.record),
      headers,
    }));
    const faults = [...decoded.faults];
    const result = await deliverAll(
      this.sender,
      [...readings, ...faults.map((fault) => deadLetterRecord(fault, context))],
      this.policy(signal, (index) => index < readings.length),
    );
    // A valid reading Kafka refuses for good (not a passing fault) is kept in the DLQ instead.
    const refused: TelemetryFault[] = result.refused.map(({ index, failure }) => ({
      kind: TELEMETRY_FAULTS.KAFKA_REJECTED,
      message: `${failure.code}: ${failure.message}`,
      value: decoded.readings[index]?.source ?? message.payload,
    }));
    if (refused.length > 0) {
      await deliverAll(
        this.sender,
        refused.map((fault) => deadLetterRecord(fault, context)),
        this.policy(signal),
      );
      faults.push(...refused);
    }
    const ackedAt = Date.now();
    const produced = readings.length - refused.length;
    this.recordMetrics(decoded.readings, result.reports, ackedAt, startedAt, faults, produced);
    return { deviceId: device.deviceId, produced, deadLettered: faults.length };
  }

  private policy(signal: AbortSignal, canGiveBack?: (index: number) => boolean): DeliveryPolicy {
    return {
      backoff: this.settings.retryBackoff,
      signal,
      ...(canGiveBack ? { canGiveBack } : {}),
      onRetry: ({ attempt, records, failure, delayMs }) => {
        this.metrics.produceRetried(records);
        const now = Date.now();
        if (now - this.lastRetryLog < RETRY_LOG_INTERVAL_MS) return;
        this.lastRetryLog = now;
        this.logger.warn(
          { attempt, records, code: failure.code, error: failure.message, delayMs },
          'Kafka did not acknowledge; retrying, MQTT acks held',
        );
      },
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
