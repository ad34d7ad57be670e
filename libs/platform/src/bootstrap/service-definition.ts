import type { DynamicModule } from '@nestjs/common';
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
}
