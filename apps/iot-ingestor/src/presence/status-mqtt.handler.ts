import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { MqttMessage } from '@streamline/messaging';
import { IngestMetrics } from '../common/ingest.metrics';
import { STATUS_SUBSCRIBER } from '../mqtt/ingestor-mqtt.module';
import type { PipelinedMqttSubscriber } from '../mqtt/pipelined-mqtt-subscriber';
import {
  STATUS_SETTINGS,
  UpdatePresenceUseCase,
  type StatusSettings,
} from './update-presence.use-case';

/** Thin handler of `sensors/+/status` (birth messages and Last Wills): hands over, logs the ids. */
@Injectable()
export class StatusMqttHandler implements OnModuleInit {
  private readonly logger = new Logger(StatusMqttHandler.name);

  constructor(
    @Inject(STATUS_SUBSCRIBER) private readonly subscriber: PipelinedMqttSubscriber,
    private readonly updatePresence: UpdatePresenceUseCase,
    private readonly metrics: IngestMetrics,
    @Inject(STATUS_SETTINGS) private readonly settings: StatusSettings,
  ) {}

  onModuleInit(): void {
    this.subscriber.add({
      filter: this.settings.statusFilter,
      qos: 1,
      handler: (message, signal) => this.onStatus(message, signal),
    });
  }

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
