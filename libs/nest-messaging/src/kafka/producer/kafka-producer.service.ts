import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { KafkaProducer, type KafkaProducerOptions } from '@streamline/messaging';
import type { Kafka } from 'kafkajs';
import { nestMessagingLogger } from '../../logging/nest-messaging-logger';
import { KAFKA_CLIENT } from '../kafka.module';

/** Injection token of the producer's options (KafkaProducerModule.forRoot fills it). */
export const KAFKA_PRODUCER_OPTIONS = Symbol('KAFKA_PRODUCER_OPTIONS');

/**
 * The service's Kafka producer (see KafkaProducer: idempotent, acks=all, linger, gzip,
 * contract headers, delivery timeout). It connects in the background at start, so a service
 * whose broker is down still starts and reports not-ready; it flushes and disconnects at
 * application shutdown, after the consumers have stopped (onModuleDestroy) and produced their last.
 */
@Injectable()
export class KafkaProducerService
  extends KafkaProducer
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly log = new Logger(KafkaProducerService.name);

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(KAFKA_PRODUCER_OPTIONS) options: KafkaProducerOptions,
  ) {
    super(kafka, { logger: nestMessagingLogger(KafkaProducerService.name), ...options });
  }

  onModuleInit(): void {
    this.connect().catch((error: unknown) => {
      // Sends connect again on their own; readiness (KafkaModule) shows the broker is down.
      this.log.warn({ err: error }, 'Kafka producer could not connect yet');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
