import * as path from 'node:path';
import { z } from 'zod';
import { REPO_ROOT } from './kafka-topics-manifest';

/** The services of ARCHITECTURE.md ("Services") and their HTTP ports. */
export const SERVICE_PORTS: Readonly<Record<string, number>> = {
  'iot-ingestor': 3001,
  'event-producer': 3002,
  aggregator: 3003,
  'dlq-handler': 3004,
  'cdc-sink': 3005,
};
export const SERVICES = Object.keys(SERVICE_PORTS);

/**
 * A service's configuration schema, loaded from apps/<service>/src/config/<service>.config.ts at
 * run time, so the manifests are checked against the schema as it is today. Loaded by path, not
 * imported: a library may not depend on an app (module boundaries), this test only reads it.
 */
export async function loadServiceConfigSchema(service: string): Promise<z.ZodType> {
  const file = path.join(REPO_ROOT, 'apps', service, 'src', 'config', `${service}.config.ts`);
  const module = (await import(file)) as Record<string, unknown>;
  const schemas = Object.entries(module).filter(
    ([name, value]) => name.endsWith('ConfigSchema') && value instanceof z.ZodType,
  );
  if (schemas.length !== 1) {
    throw new Error(`${file}: expected one export named *ConfigSchema, found ${schemas.length}`);
  }
  return schemas[0]?.[1] as z.ZodType;
}

/** The variable names a schema knows: the keys of its object, through transforms and pipes. */
export function knownVariables(schema: z.ZodType): string[] {
  let current: z.ZodType = schema;
  for (let depth = 0; depth < 10; depth++) {
    if (current instanceof z.ZodObject) return Object.keys(current.shape);
    if (current instanceof z.ZodPipe) current = current.in as z.ZodType;
    else break;
  }
  throw new Error('the configuration schema is not a z.object (nor a pipe from one)');
}

/** Variables of `env` the schema does not know: misspelled or meant for another service. */
export function unknownVariables(schema: z.ZodType, env: Record<string, string>): string[] {
  const known = new Set(knownVariables(schema));
  return Object.keys(env)
    .filter((name) => !known.has(name))
    .sort();
}
