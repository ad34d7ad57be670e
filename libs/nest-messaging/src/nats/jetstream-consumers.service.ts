import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  JetStreamWorker,
  type JetStreamHandler,
  type NatsConnectionHandle,
} from '@streamline/messaging';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';
import {
  JETSTREAM_CONSUMER_METADATA,
  type JetStreamConsumerOptions,
} from './jetstream-consumer.decorator';
import { JetStreamProvisioningService } from './jetstream-provisioning.service';
import { NATS_CONNECTION, NATS_MODULE_OPTIONS, type NatsModuleOptions } from './nats.tokens';

const RETRY_START_MS = 2_000;

/**
 * Runs the service's JetStream consumers: those declared with `@JetStreamConsumer` and those
 * registered with `register()` before bootstrap. Workers start in the background once
 * provisioning is done (a missing consumer is retried), and stop before connections close.
 */
@Injectable()
export class JetStreamConsumersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = nestMessagingLogger('jetstream');
  private readonly workers: Array<JetStreamWorker<unknown>> = [];
  private stopping = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly handle: NatsConnectionHandle,
    @Inject(NATS_MODULE_OPTIONS) private readonly options: NatsModuleOptions,
    private readonly provisioning: JetStreamProvisioningService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  /** Adds a consumer explicitly (call from a constructor or onModuleInit). */
  register<T>(options: JetStreamConsumerOptions<T>, handler: JetStreamHandler<T>): void {
    const worker = new JetStreamWorker<T>(() => this.handle.get(), {
      ...options,
      handler,
      service: this.options.name,
      logger: nestMessagingLogger(`jetstream:${options.stream}/${options.consumer}`),
    });
    this.workers.push(worker as JetStreamWorker<unknown>);
  }

  onApplicationBootstrap(): void {
    this.discoverDecorated();
    for (const worker of this.workers) void this.startWhenReady(worker);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.provisioning.stop();
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  private discoverDecorated(): void {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const target = (instance as Record<string, unknown>)[method];
        if (typeof target !== 'function') continue;
        const options = this.reflector.get<JetStreamConsumerOptions | undefined>(
          JETSTREAM_CONSUMER_METADATA,
          target,
        );
        if (!options) continue;
        const handler = target.bind(instance) as JetStreamHandler<unknown>;
        this.register(options, handler);
      }
    }
  }

  private async startWhenReady(worker: JetStreamWorker<unknown>): Promise<void> {
    await this.provisioning.ready();
    while (!this.stopping) {
      try {
        await worker.start();
        return;
      } catch (error) {
        this.logger.warn({ err: error }, 'JetStream consumer not available yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_START_MS).unref());
      }
    }
  }
}
