import type { BackoffPolicy } from '@streamline/messaging';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';

/** What the telemetry use case needs to know, read once from the configuration. */
export interface IngestSettings {
  service: string;
  telemetryFilter: string;
  telemetryTopic: string;
  dlqTopic: string;
  maxPayloadBytes: number;
  maxFutureMs: number;
  maxDlqValueBytes: number;
  /** Between produce attempts while Kafka does not acknowledge; the MQTT ack waits meanwhile. */
  retryBackoff: BackoffPolicy;
}

export const INGEST_SETTINGS = Symbol('INGEST_SETTINGS');

/** Short first retries (a leader moving), then every few seconds while Kafka is away. */
export const PRODUCE_RETRY_BACKOFF: BackoffPolicy = {
  initialMs: 200,
  maxMs: 5_000,
  multiplier: 2,
  jitter: 0.2,
};

/** The settings of the telemetry path for a validated configuration. */
export function ingestSettingsOf(config: IotIngestorConfig, service: string): IngestSettings {
  return {
    service,
    telemetryFilter: config.MQTT_TELEMETRY_FILTER,
    telemetryTopic: config.TELEMETRY_TOPIC,
    dlqTopic: config.TELEMETRY_DLQ_TOPIC,
    maxPayloadBytes: config.TELEMETRY_MAX_PAYLOAD_BYTES,
    maxFutureMs: config.TELEMETRY_MAX_FUTURE_MS,
    maxDlqValueBytes: config.DLQ_MAX_VALUE_BYTES,
    retryBackoff: PRODUCE_RETRY_BACKOFF,
  };
}
