import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createKafka } from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import type { Admin, Kafka } from 'kafkajs';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';

/** Injection token of the process's kafkajs client. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
const KAFKA_HEALTH_ADMIN = Symbol('KAFKA_HEALTH_ADMIN');

export interface KafkaModuleOptions {
  brokers: string[];
  clientId: string;
}

/** Closes the readiness admin connection when the application shuts down. */
class KafkaHealthAdminCloser implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_HEALTH_ADMIN) private readonly admin: Admin) {}

  async onApplicationShutdown(): Promise<void> {
    await this.admin.disconnect();
  }
}

/**
 * The kafkajs client, and a readiness check that asks the cluster for its metadata.
 * The check uses its own admin with no retries, so a broken broker shows within the
 * readiness timeout instead of after kafkajs' backoff.
 */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        {
          provide: KAFKA_CLIENT,
          useFactory: (): Kafka =>
            createKafka({
              brokers: options.brokers,
              clientId: options.clientId,
              logger: nestMessagingLogger('kafkajs'),
            }),
        },
        {
          provide: KAFKA_HEALTH_ADMIN,
          inject: [KAFKA_CLIENT, ReadinessRegistry],
          useFactory: (kafka: Kafka, registry: ReadinessRegistry): Admin => {
            const admin = kafka.admin({ retry: { retries: 0 } });
            registry.register({
              name: 'kafka',
              check: async () => {
                await admin.connect();
                const cluster = await admin.describeCluster();
                if (cluster.brokers.length === 0) throw new Error('cluster reports no brokers');
              },
            });
            return admin;
          },
        },
        KafkaHealthAdminCloser,
      ],
      exports: [KAFKA_CLIENT],
    };
  }
}
