import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { MqttDeadLetterHandler, MqttHandler, MqttSubscriber } from '@streamline/messaging';
import { APP_CONFIG } from '@streamline/platform';
import {
  MQTT_SUBSCRIBE_METADATA,
  type MqttFilterSource,
  type MqttSubscribeMetadata,
} from './mqtt-subscribe.decorator';
import {
  MQTT_SESSIONS,
  MQTT_STOP_POLICY,
  type MqttSession,
  type MqttStopPolicy,
} from './mqtt.tokens';

/**
 * Finds the `@MqttSubscribe` methods once every module is initialised, registers each with
 * the subscriber of its session (filters read from the configuration resolved here) and starts
 * the subscribers; on shutdown stops them first (running handlers finish and ack) or, with
 * `leaveOnStop`, makes them leave their subscriptions, so the clients can end afterwards.
 */
@Injectable()
export class MqttHandlersExplorer implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    @Inject(MQTT_SESSIONS) private readonly sessions: MqttSession[],
    @Inject(MQTT_STOP_POLICY) private readonly stopPolicy: MqttStopPolicy,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Optional() @Inject(APP_CONFIG) private readonly config?: unknown,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const wrappers = [...this.discovery.getControllers(), ...this.discovery.getProviders()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const onDeadLetter = deadLetterHandlerOf(instance);
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const target = (instance as Record<string, unknown>)[method];
        if (typeof target !== 'function') continue;
        const meta = this.reflector.get<MqttSubscribeMetadata | undefined>(
          MQTT_SUBSCRIBE_METADATA,
          target,
        );
        if (!meta) continue;
        this.subscriberOf(meta.session, method).add({
          filter: this.filterOf(meta.filter),
          qos: meta.qos,
          handler: target.bind(instance) as MqttHandler,
          ...(onDeadLetter ? { onDeadLetter } : {}),
        });
      }
    }
    await Promise.all(this.sessions.map((s) => s.subscriber.start()));
  }

  async onModuleDestroy(): Promise<void> {
    const { leaveOnStop, graceMs } = this.stopPolicy;
    await Promise.all(
      this.sessions.map((s) =>
        leaveOnStop ? s.subscriber.leave(graceMs) : s.subscriber.stop(graceMs),
      ),
    );
  }

  private subscriberOf(session: string, method: string): MqttSubscriber {
    const found = this.sessions.find((s) => s.name === session);
    if (!found) {
      throw new Error(`@MqttSubscribe ${method}: no MQTT session "${session}" in MqttModule`);
    }
    return found.subscriber;
  }

  private filterOf(source: MqttFilterSource): string {
    if (typeof source === 'string') return source;
    if (this.config === undefined) {
      throw new Error('@MqttSubscribe with a filter from config needs APP_CONFIG (PlatformModule)');
    }
    return (source as (config: unknown) => string)(this.config);
  }
}

function deadLetterHandlerOf(instance: object): MqttDeadLetterHandler | undefined {
  const candidate = (instance as { onMqttDeadLetter?: unknown }).onMqttDeadLetter;
  return typeof candidate === 'function'
    ? (candidate.bind(instance) as MqttDeadLetterHandler)
    : undefined;
}
