import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  MqttSubscriber,
  type MqttDeadLetterHandler,
  type MqttHandler,
} from '@streamline/messaging';
import { MQTT_SUBSCRIBE_METADATA, type MqttSubscribeMetadata } from './mqtt-subscribe.decorator';

/**
 * Finds the `@MqttSubscribe` methods once every module is initialised, registers them and
 * starts the subscriber; on shutdown stops it first (the running handler finishes and acks)
 * so the client can end cleanly afterwards.
 */
@Injectable()
export class MqttHandlersExplorer implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(
    private readonly subscriber: MqttSubscriber,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
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
        this.subscriber.add({
          ...meta,
          handler: target.bind(instance) as MqttHandler,
          ...(onDeadLetter ? { onDeadLetter } : {}),
        });
      }
    }
    await this.subscriber.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber.stop();
  }
}

function deadLetterHandlerOf(instance: object): MqttDeadLetterHandler | undefined {
  const candidate = (instance as { onMqttDeadLetter?: unknown }).onMqttDeadLetter;
  return typeof candidate === 'function'
    ? (candidate.bind(instance) as MqttDeadLetterHandler)
    : undefined;
}
