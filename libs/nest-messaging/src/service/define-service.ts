import { Module, type DynamicModule, type ForwardReference, type Type } from '@nestjs/common';
import type { KafkaProducerOptions } from '@streamline/messaging';
import {
  DatabaseModule,
  HttpPlumbingModule,
  PlatformModule,
  STREAMLINE_VERSION,
  type DatabaseModuleOptions,
  type DatabaseConfig,
  type HttpPlumbingOptions,
  type KafkaConfig,
  type NatsConfig,
  type ServiceConfig,
  type ServiceDefinition,
} from '@streamline/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { z } from 'zod';
import { KafkaProducerModule } from '../kafka/producer/kafka-producer.module';
import { KafkaModule, type KafkaModuleOptions } from '../kafka/kafka.module';
import { NatsModule, type NatsModuleOptions } from '../nats/nats.module';

type Import = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;
/** A part of the declaration: fixed, or derived from the validated configuration. */
type FromConfig<C, T> = T | ((config: C) => T);

/**
 * A service, declared once: its name and description (logs, metrics, OpenAPI), its configuration
 * schema, the brokers and database it talks to, and its own feature modules. `defineService`
 * derives the root module from it, so the wiring is the same in every service.
 */
export interface ServiceSpec<S extends z.ZodType<ServiceConfig>> {
  /** Service name as in ARCHITECTURE.md, e.g. `iot-ingestor`. */
  readonly name: string;
  readonly description: string;
  readonly configSchema: S;
  /** The kafkajs client and its readiness check (config: KAFKA_BROKERS, KAFKA_CLIENT_ID). */
  readonly kafka?: FromConfig<
    z.output<S>,
    true | Partial<Omit<KafkaModuleOptions, 'brokers' | 'clientId'>>
  >;
  /** KafkaProducerService on that client. */
  readonly producer?: FromConfig<z.output<S>, KafkaProducerOptions>;
  /** The NATS connection, readiness and JetStream provisioning (config: NATS_URL). */
  readonly nats?: FromConfig<z.output<S>, true | Pick<NatsModuleOptions, 'jetstream'>>;
  /** The service's Postgres schema, entities and migrations (config: DATABASE_URL). */
  readonly database?: Omit<DatabaseModuleOptions, 'url'>;
  /** Error statuses, rate limit, media types of the HTTP API. */
  readonly http?: FromConfig<z.output<S>, HttpPlumbingOptions>;
  /** The service's own modules. */
  readonly modules?: FromConfig<z.output<S>, readonly Import[]>;
  /** Message transports to connect before the app listens (see ServiceDefinition.connect). */
  readonly connect?: (app: NestFastifyApplication, config: z.output<S>) => void;
}

/** The root module class every service's module tree hangs from. */
@Module({})
class ServiceRootModule {}

/** Builds the ServiceDefinition (and so the root module) of a declared service. */
export function defineService<S extends z.ZodType<ServiceConfig>>(
  spec: ServiceSpec<S>,
): ServiceDefinition<S> {
  return {
    name: spec.name,
    description: spec.description,
    version: STREAMLINE_VERSION,
    configSchema: spec.configSchema,
    module: (config) => rootModule(spec, config),
    ...(spec.connect ? { connect: spec.connect } : {}),
  };
}

function rootModule<S extends z.ZodType<ServiceConfig>>(
  spec: ServiceSpec<S>,
  config: z.output<S>,
): DynamicModule {
  const resolve = <T>(part: FromConfig<z.output<S>, T> | undefined): T | undefined =>
    typeof part === 'function' ? (part as (c: z.output<S>) => T)(config) : part;
  const imports: Import[] = [
    PlatformModule.forRoot({ service: spec.name, version: STREAMLINE_VERSION, config }),
  ];
  const http = resolve(spec.http);
  if (http) imports.push(HttpPlumbingModule.forRoot(http));
  const kafka = resolve(spec.kafka);
  if (kafka) {
    const settings = needs<KafkaConfig>(spec.name, config, 'KAFKA_BROKERS');
    imports.push(
      KafkaModule.forRoot({
        brokers: settings.KAFKA_BROKERS,
        clientId: settings.KAFKA_CLIENT_ID ?? spec.name,
        ...(kafka === true ? {} : kafka),
      }),
    );
  }
  const producer = resolve(spec.producer);
  if (producer) {
    if (!kafka) throw new Error(`${spec.name}: a producer needs the kafka client declared`);
    imports.push(KafkaProducerModule.forRoot(producer));
  }
  const nats = resolve(spec.nats);
  if (nats) {
    const { NATS_URL } = needs<NatsConfig>(spec.name, config, 'NATS_URL');
    imports.push(
      NatsModule.forRoot({ url: NATS_URL, name: spec.name, ...(nats === true ? {} : nats) }),
    );
  }
  if (spec.database) {
    const { DATABASE_URL } = needs<DatabaseConfig>(spec.name, config, 'DATABASE_URL');
    imports.push(DatabaseModule.forRoot({ url: DATABASE_URL, ...spec.database }));
  }
  imports.push(...(resolve(spec.modules) ?? []));
  return { module: ServiceRootModule, imports };
}

// A declared broker whose variable the config schema lacks is a programming error: say which.
function needs<T>(service: string, config: object, variable: keyof T & string): T {
  if (!(variable in config)) {
    throw new Error(`${service}: its config schema must include ${variable} for what it declares`);
  }
  return config as T;
}
