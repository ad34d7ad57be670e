import { Injectable, Logger } from '@nestjs/common';
import { traceparentOf } from '@streamline/contracts';
import type { MqttMessage } from '@streamline/messaging';
import { MqttSubscribe } from '@streamline/nest-messaging';
import { IngestMetrics } from '../common/ingest.metrics';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';
import { IngestTelemetryUseCase } from './ingest-telemetry.use-case';

/** Thin handler of the telemetry subscription: counts, hands over to the use case, logs the ids. */
@Injectable()
export class TelemetryMqttHandler {
  private readonly logger = new Logger(TelemetryMqttHandler.name);

  constructor(
    private readonly ingest: IngestTelemetryUseCase,
    private readonly metrics: IngestMetrics,
  ) {}

  /** The MQTT ack goes out when this resolves: every reading is then stored (spool or Kafka). */
  @MqttSubscribe((config: IotIngestorConfig) => config.MQTT_TELEMETRY_FILTER)
  async onTelemetry(message: MqttMessage, signal: AbortSignal): Promise<void> {
    this.metrics.messageReceived('telemetry');
    const traceparent = traceparentOf(message.properties?.userProperties?.['traceparent']);
    const outcome = await this.ingest.execute(
      {
        topic: message.topic,
        payload: message.payload,
        receivedAt: message.receivedAt,
        ...(traceparent ? { traceparent } : {}),
      },
      signal,
    );
    const ids = {
      topic: message.topic,
      messageId: message.messageId,
      dup: message.dup,
      ...outcome,
    };
    if (outcome.deadLettered > 0) this.logger.warn(ids, 'telemetry dead-lettered');
    else this.logger.debug(ids, 'telemetry ingested');
  }
}
