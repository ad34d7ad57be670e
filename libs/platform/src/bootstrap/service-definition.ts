import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { z } from 'zod';
import type { ServiceConfig } from '../config/config.schema';

/** Everything the platform needs to know to run one service. */
export interface ServiceDefinition<S extends z.ZodType<ServiceConfig>> {
  /** Service name as in ARCHITECTURE.md, e.g. `iot-ingestor`. */
  readonly name: string;
  readonly description: string;
  readonly version: string;
  /** The environment schema: the base settings, PORT and the brokers the service uses. */
  readonly configSchema: S;
  /** The root module, built from the validated configuration. */
  module(config: z.output<S>): DynamicModule;
  /**
   * Connects the service's message transports (`app.connectMicroservice(...)`, e.g. the Kafka
   * consumer strategy) before the app starts; they start and stop with it.
   */
  connect?(app: NestFastifyApplication, config: z.output<S>): void;
}
