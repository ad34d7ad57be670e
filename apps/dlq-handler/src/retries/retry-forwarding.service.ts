import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { PatternSubscription, RetryForwarder } from '@streamline/messaging';
import { KAFKA_CLIENT, nestMessagingLogger } from '@streamline/nest-messaging';
import { InjectConfig } from '@streamline/platform';
import type { Kafka } from 'kafkajs';
import { DlqMetrics } from '../common/dlq.metrics';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';
import { policyFor } from './retry-policies';

export const SERVICE_NAME = 'dlq-handler';

/**
 * Runs the library's RetryForwarder over every `.retry` topic (by pattern, topics created
 * later included): each record goes back to its topic when due, or to `<topic>.dlq` after its
 * last attempt, under the per-topic policies of RETRY_POLICIES.
 */
@Injectable()
export class RetryForwardingService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = nestMessagingLogger('retry-forwarder');
  private readonly subscription: PatternSubscription;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @InjectConfig() private readonly config: DlqHandlerConfig,
    private readonly metrics: DlqMetrics,
  ) {
    this.subscription = new PatternSubscription({
      topicsFrom: kafka,
      pattern: config.RETRY_TOPIC_PATTERN,
      refreshIntervalMs: config.TOPIC_REFRESH_MS,
      logger: this.logger,
      start: (topics) => this.startForwarder(topics),
    });
  }

  get topics(): PatternSubscription {
    return this.subscription;
  }

  onApplicationBootstrap(): void {
    void this.subscription.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription.stop();
  }

  private async startForwarder(topics: readonly string[]): Promise<RetryForwarder> {
    const forwarder = new RetryForwarder({
      kafka: this.kafka,
      groupId: this.config.RETRY_FORWARDER_GROUP,
      topics,
      logger: this.logger,
      service: SERVICE_NAME,
      policy: (origin) => policyFor(this.config.RETRY_POLICIES, origin),
    });
    forwarder.events.on('record.forwarded', (e) =>
      this.metrics.retries.inc({ topic: e.originTopic, attempt: String(e.attempt) }),
    );
    forwarder.events.on('record.exhausted', (e) =>
      this.metrics.exhausted.inc({ topic: e.originTopic }),
    );
    await forwarder.start();
    return forwarder;
  }
}
