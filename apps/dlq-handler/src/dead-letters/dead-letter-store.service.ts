import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { KafkaBatchConsumer, PatternSubscription, type RecordBatch } from '@streamline/messaging';
import { KAFKA_CLIENT, nestMessagingLogger } from '@streamline/nest-messaging';
import { InjectConfig } from '@streamline/platform';
import type { Kafka } from 'kafkajs';
import { DlqMetrics } from '../common/dlq.metrics';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';
import { DeadLetterAnnouncer } from './dead-letter-announcer';
import { toNewDeadLetter } from './dead-letter-record';
import { DeadLettersRepository } from './dead-letters.repository';

/**
 * Consumes every `.dlq` topic (by pattern, new topics included) into `dlq.dead_letters`:
 * a batch is one INSERT, its offsets are committed after the database commit, and a
 * redelivered record hits the unique key and is skipped. New rows are then announced on NATS.
 */
@Injectable()
export class DeadLetterStoreService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = nestMessagingLogger('dlq-store');
  private readonly subscription: PatternSubscription;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @InjectConfig() private readonly config: DlqHandlerConfig,
    private readonly repository: DeadLettersRepository,
    private readonly announcer: DeadLetterAnnouncer,
    private readonly metrics: DlqMetrics,
  ) {
    this.subscription = new PatternSubscription({
      topicsFrom: kafka,
      pattern: config.DLQ_TOPIC_PATTERN,
      refreshIntervalMs: config.TOPIC_REFRESH_MS,
      logger: this.logger,
      start: async (topics) => {
        const consumer = new KafkaBatchConsumer({
          kafka: this.kafka,
          groupId: this.config.DLQ_STORE_GROUP,
          topics,
          logger: this.logger,
          maxRecordsPerCall: this.config.DLQ_STORE_BATCH,
          handler: (batch) => this.store(batch),
        });
        await consumer.start();
        return consumer;
      },
    });
  }

  /** The subscription, for tests that wait for a new topic to be served. */
  get topics(): PatternSubscription {
    return this.subscription;
  }

  onApplicationBootstrap(): void {
    // In the background: the service starts (and reports not-ready) while Kafka is down.
    void this.subscription.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription.stop();
  }

  private async store(batch: RecordBatch): Promise<void> {
    const letters = batch.messages.map((m) => toNewDeadLetter(batch.topic, batch.partition, m));
    const inserted = await this.repository.insertBatch(letters);
    for (const letter of inserted) this.metrics.stored.inc({ topic: letter.origin_topic });
    void this.announcer.announce(inserted);
  }
}
