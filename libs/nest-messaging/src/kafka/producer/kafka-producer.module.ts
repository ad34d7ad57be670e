import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { KafkaProducerOptions } from '@streamline/messaging';
import { KAFKA_PRODUCER_OPTIONS, KafkaProducerService } from './kafka-producer.service';

/**
 * Provides KafkaProducerService on the KafkaModule's client. Import KafkaModule.forRoot too;
 * options default to the producer's defaults (5 ms linger, gzip, 30 s delivery timeout);
 * `retry` sets kafkajs' produce retries for this producer (the client's otherwise), so a
 * service that retries sends itself needs no second Kafka client.
 */
@Global()
@Module({})
export class KafkaProducerModule {
  static forRoot(options: KafkaProducerOptions = {}): DynamicModule {
    return {
      module: KafkaProducerModule,
      providers: [{ provide: KAFKA_PRODUCER_OPTIONS, useValue: options }, KafkaProducerService],
      exports: [KafkaProducerService],
    };
  }
}
