import { SetMetadata } from '@nestjs/common';
import type { JetStreamWorkerOptions } from '@streamline/messaging';

export const JETSTREAM_CONSUMER_METADATA = Symbol('JETSTREAM_CONSUMER_METADATA');

/** What `@JetStreamConsumer` declares: the worker options without the handler and wiring. */
export type JetStreamConsumerOptions<T = unknown> = Omit<
  JetStreamWorkerOptions<T>,
  'handler' | 'service' | 'logger'
>;

/**
 * Makes a provider or controller method the handler of a durable JetStream pull consumer:
 * `(message: JetStreamMessage<T>) => Promise<void>`. It starts once the module's JetStream
 * provisioning finished and stops (finishing running handlers) when the application shuts down.
 */
export function JetStreamConsumer<T>(options: JetStreamConsumerOptions<T>): MethodDecorator {
  return SetMetadata(JETSTREAM_CONSUMER_METADATA, options);
}
