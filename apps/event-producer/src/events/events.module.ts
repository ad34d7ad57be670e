import { Module } from '@nestjs/common';
import { KafkaProducerService } from '@streamline/nest-messaging';
import { APP_CONFIG, clientIdentifier } from '@streamline/platform';
import type { EventProducerConfig } from '../config/event-producer.config';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { CLIENT_IDENTIFIER } from './client-identity';
import { EventsController } from './events.controller';
import { EventsMetrics } from './events.metrics';
import { KafkaRecordPublisher } from './kafka-record-publisher';
import { ProduceTopicRecordsUseCase } from './produce-topic-records.use-case';
import { PublishEventsUseCase } from './publish-events.use-case';
import { RECORD_PUBLISHER } from './record-publisher';
import { TopicRecordsController } from './topic-records.controller';

/**
 * `POST /events` and `POST /topics/:topic/records`: HTTP into Kafka through the shared
 * KafkaProducerService (KafkaProducerModule, declared by the service definition).
 */
@Module({
  imports: [IdempotencyModule],
  controllers: [EventsController, TopicRecordsController],
  providers: [
    EventsMetrics,
    PublishEventsUseCase,
    ProduceTopicRecordsUseCase,
    {
      provide: RECORD_PUBLISHER,
      inject: [KafkaProducerService, APP_CONFIG],
      useFactory: (producer: KafkaProducerService, config: EventProducerConfig) =>
        new KafkaRecordPublisher(producer, config.KAFKA_DELIVERY_TIMEOUT_MS),
    },
    {
      provide: CLIENT_IDENTIFIER,
      inject: [APP_CONFIG],
      useFactory: (config: EventProducerConfig) =>
        clientIdentifier({ keyHeader: config.RATE_LIMIT_KEY_HEADER, apiKeys: config.API_KEYS }),
    },
  ],
})
export class EventsModule {}
