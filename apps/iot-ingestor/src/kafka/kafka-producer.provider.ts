import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { createKafka, KafkaProducer } from '@streamline/messaging';
import { nestMessagingLogger } from '@streamline/nest-messaging';
import { APP_CONFIG } from '@streamline/platform';
import { SERVICE_NAME } from '../common/service-name';
import type { IotIngestorConfig } from '../config/iot-ingestor.config';

/** The ingestor's KafkaProducer (idempotent, acks=all, linger batching); a RecordSender. */
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');

/**
 * kafkajs' own retries kept short: the ingestor retries a failed produce itself, holding the
 * MQTT ack, so a send that kafkajs retried for minutes would only delay noticing Kafka is back
 * (the producer sends one batch at a time).
 */
const PRODUCER_CLIENT_RETRY = { initialRetryTime: 100, retries: 5, maxRetryTime: 2_000 };

/** Flushes and closes the producer once the MQTT subscribers stopped, so no produced reading is cut off. */
@Injectable()
class KafkaProducerCloser implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_PRODUCER) private readonly producer: KafkaProducer) {}

  async onApplicationShutdown(): Promise<void> {
    await this.producer.close();
  }
}

export const kafkaProducerProviders: Provider[] = [
  {
    provide: KAFKA_PRODUCER,
    inject: [APP_CONFIG],
    useFactory: (config: IotIngestorConfig): KafkaProducer => {
      const kafka = createKafka({
        brokers: config.KAFKA_BROKERS,
        clientId: config.KAFKA_CLIENT_ID ?? SERVICE_NAME,
        logger: nestMessagingLogger('kafkajs'),
        retry: PRODUCER_CLIENT_RETRY,
      });
      const producer = new KafkaProducer(kafka, {
        lingerMs: config.KAFKA_LINGER_MS,
        compression: config.KAFKA_COMPRESSION,
        deliveryTimeoutMs: config.KAFKA_DELIVERY_TIMEOUT_MS,
        logger: nestMessagingLogger('KafkaProducer'),
      });
      // Connect early so the first reading does not pay for it; sends connect again if this fails.
      producer.connect().catch((error: unknown) => {
        new Logger('KafkaProducer').warn(
          { err: error },
          'Kafka not reachable yet; produces will retry',
        );
      });
      return producer;
    },
  },
  KafkaProducerCloser,
];
