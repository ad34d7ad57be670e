import type { JetStreamProvisioning } from '@streamline/messaging';

/** Injection token of the process's NATS connection handle. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
/** Injection token of the options NatsModule.forRoot was given. */
export const NATS_MODULE_OPTIONS = Symbol('NATS_MODULE_OPTIONS');

export interface NatsModuleOptions {
  url: string;
  /** The service name: NATS client name, `dlq.service` of dead letters, RPC queue group. */
  name: string;
  /** Streams, durable consumers and KV buckets this service needs; created or updated at start. */
  jetstream?: JetStreamProvisioning;
}
