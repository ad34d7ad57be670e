import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import {
  ContractConsumer,
  type ContractConsumerEvents,
  type ContractConsumerOptions,
  type HandlerRegistration,
  type MessagingLogger,
  type RecordContext,
} from '@streamline/messaging';
import type { Consumer } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import { nestMessagingLogger } from '../../logging/nest-messaging-logger';
import {
  KAFKA_CONSUMER_TRANSPORT,
  KAFKA_HANDLER_EXTRAS,
  type KafkaHandlerOptions,
} from './kafka-handler.decorator';
import { KafkaRecordContext } from './kafka-record.context';

/** Settings of the transport: those of ContractConsumer, minus the handlers (the decorators give them). */
export interface KafkaConsumerServerOptions extends Omit<
  ContractConsumerOptions,
  'handlers' | 'logger'
> {
  logger?: MessagingLogger;
}

/** Events `server.on()` accepts: those of the underlying ContractConsumer. */
export type KafkaConsumerServerEvents = {
  [K in keyof ContractConsumerEvents]: (...args: ContractConsumerEvents[K]) => void;
};

export type KafkaConsumerServerStatus = 'connected' | 'disconnected';

type Listener = [keyof ContractConsumerEvents, (...args: unknown[]) => void];

/**
 * A Nest custom transport over ContractConsumer: `@KafkaHandler` methods become the handlers,
 * with contract validation, per-partition ordering, backpressure, at-least-once commits and
 * the `.retry`/`.dlq` failure policy. Connect it with
 * `app.connectMicroservice({ strategy: new KafkaConsumerServer({...}) })`; `app.close()` stops it
 * without losing anything.
 */
export class KafkaConsumerServer
  extends Server<KafkaConsumerServerEvents, KafkaConsumerServerStatus>
  implements CustomTransportStrategy
{
  private consumer: ContractConsumer | undefined;
  private readonly listeners: Listener[] = [];

  constructor(private readonly options: KafkaConsumerServerOptions) {
    super();
    this.transportId = KAFKA_CONSUMER_TRANSPORT;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const consumer = new ContractConsumer({
        ...this.options,
        logger: this.options.logger ?? nestMessagingLogger(KafkaConsumerServer.name),
        handlers: this.registrations(),
      });
      for (const [event, listener] of this.listeners) this.attach(consumer, event, listener);
      this.consumer = consumer;
      await consumer.start();
      this._status$.next('connected');
      callback();
    } catch (error: unknown) {
      callback(error);
    }
  }

  /** Stops fetching, finishes in-flight records, commits and leaves the group. */
  async close(): Promise<void> {
    await this.consumer?.stop();
    this._status$.next('disconnected');
  }

  on<K extends keyof KafkaConsumerServerEvents, C extends KafkaConsumerServerEvents[K]>(
    event: K,
    callback: C,
  ): void {
    const listener = callback as unknown as (...args: unknown[]) => void;
    this.listeners.push([event, listener]);
    if (this.consumer) this.attach(this.consumer, event, listener);
  }

  /** The kafkajs consumer underneath. */
  unwrap<T = Consumer>(): T {
    if (!this.consumer) throw new Error('KafkaConsumerServer is not listening yet');
    return this.consumer.kafkaConsumer as T;
  }

  private attach(
    consumer: ContractConsumer,
    event: keyof ContractConsumerEvents,
    listener: (...args: unknown[]) => void,
  ): void {
    // The event/listener pairing was checked by the typed `on()`; EventEmitter just stores them.
    const emitter = consumer.events as unknown as NodeJS.EventEmitter;
    emitter.on(event, listener);
  }

  private registrations(): HandlerRegistration[] {
    return [...this.messageHandlers.entries()].map(([topic, handler]) => {
      const options = (handler.extras?.[KAFKA_HANDLER_EXTRAS] ?? {}) as KafkaHandlerOptions;
      if (handler.next) {
        // Nest chains event handlers of one pattern; they run together on each record.
        this.logger.warn(
          `several @KafkaHandler methods handle "${topic}": they run together, with the first one's options`,
        );
      }
      return {
        topic,
        contract: options.contract,
        decode: options.decode,
        failurePolicy: options.failurePolicy,
        handler: (value: unknown, context: RecordContext) => this.invoke(handler, value, context),
      };
    });
  }

  // Nest's proxy returns the handler's result, or an Observable that errors with what the
  // handler threw (KafkaErrorPassthroughFilter keeps it intact): either way, await the end.
  private async invoke(
    handler: MessageHandler,
    value: unknown,
    context: RecordContext,
  ): Promise<void> {
    const result: unknown = await handler(value, new KafkaRecordContext([context]));
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}
