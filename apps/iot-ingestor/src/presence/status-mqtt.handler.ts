import { Injectable, Logger } from '@nestjs/common';
import type { MqttMessage } from '@streamline/messaging';
import { MqttSubscribe } from '@streamline/nest-messaging';
import { IngestMetrics } from '../common/ingest.metrics';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';
import { STATUS_SESSION } from '../mqtt/ingestor-mqtt.module';
import { UpdatePresenceUseCase } from './update-presence.use-case';

/** Thin handler of `sensors/+/status` (birth messages and Last Wills): hands over, logs the ids. */
@Injectable()
export class StatusMqttHandler {
  private readonly logger = new Logger(StatusMqttHandler.name);

  constructor(
    private readonly updatePresence: UpdatePresenceUseCase,
    private readonly metrics: IngestMetrics,
  ) {}

  /** On its own session: a NATS outage holds status acks only, never telemetry's. */
  @MqttSubscribe((config: IotIngestorConfig) => config.MQTT_STATUS_FILTER, {
    session: STATUS_SESSION,
  })
  async onStatus(message: MqttMessage, signal: AbortSignal): Promise<void> {
    this.metrics.messageReceived('status');
    const outcome = await this.updatePresence.execute(
      { topic: message.topic, payload: message.payload, receivedAt: message.receivedAt },
      signal,
    );
    this.logger.debug(
      { topic: message.topic, messageId: message.messageId, retain: message.retain, ...outcome },
      'status message handled',
    );
  }
}
