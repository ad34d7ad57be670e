import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { traceparentOf } from '@streamline/contracts';
import type { MqttMessage } from '@streamline/messaging';
import { IngestMetrics } from '../common/ingest.metrics';
import { TELEMETRY_SUBSCRIBER } from '../mqtt/ingestor-mqtt.module';
import type { PipelinedMqttSubscriber } from '../mqtt/pipelined-mqtt-subscriber';
import { INGEST_SETTINGS, type IngestSettings } from './ingest-settings';
import { IngestTelemetryUseCase } from './ingest-telemetry.use-case';

/** Thin handler of the telemetry subscription: counts, hands over to the use case, logs the ids. */
@Injectable()
export class TelemetryMqttHandler implements OnModuleInit {
  private readonly logger = new Logger(TelemetryMqttHandler.name);

  constructor(
    @Inject(TELEMETRY_SUBSCRIBER) private readonly subscriber: PipelinedMqttSubscriber,
    private readonly ingest: IngestTelemetryUseCase,
    private readonly metrics: IngestMetrics,
    @Inject(INGEST_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  onModuleInit(): void {
    this.subscriber.add({
      filter: this.settings.telemetryFilter,
      qos: 1,
      handler: (message, signal) => this.onTelemetry(message, signal),
    });
  }

  /** The MQTT ack goes out when this resolves: every reading is then in Kafka or its DLQ. */
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
