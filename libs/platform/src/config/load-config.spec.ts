import { z } from 'zod';
import {
  baseConfigSchema,
  databaseConfigSchema,
  kafkaConfigSchema,
  mqttConfigSchema,
  natsConfigSchema,
  portVar,
} from './config.schema';
import { ConfigError, loadConfig } from './load-config';

const schema = baseConfigSchema.extend({
  PORT: portVar(3001),
  ...kafkaConfigSchema.shape,
  ...natsConfigSchema.shape,
  ...mqttConfigSchema.shape,
  ...databaseConfigSchema.shape,
});

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the defaults that work on this machine', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({
      PORT: 3001,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: ['localhost:9092'],
      NATS_URL: 'nats://localhost:4222',
      MQTT_URL: 'mqtt://localhost:1883',
      DATABASE_URL: 'postgres://postgres@localhost:5432/streamline',
      SHUTDOWN_TIMEOUT_MS: 10_000,
    });
  });

  it('parses a broker list and trims blanks', () => {
    expect(loadConfig(schema, { KAFKA_BROKERS: 'a:9092, b:9093,' }).KAFKA_BROKERS).toEqual([
      'a:9092',
      'b:9093',
    ]);
  });

  it('trusts no proxy by default, and exactly the proxies HTTP_TRUST_PROXY names', () => {
    expect(loadConfig(schema, {}).HTTP_TRUST_PROXY).toBe(false);
    expect(loadConfig(schema, { HTTP_TRUST_PROXY: 'true' }).HTTP_TRUST_PROXY).toBe(true);
    expect(loadConfig(schema, { HTTP_TRUST_PROXY: '2' }).HTTP_TRUST_PROXY).toBe(2);
    expect(
      loadConfig(schema, { HTTP_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).HTTP_TRUST_PROXY,
    ).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(problemsOf({ HTTP_TRUST_PROXY: 'yes please' })).toEqual(['HTTP_TRUST_PROXY']);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(schema, { PORT: '' }).PORT).toBe(3001);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['KAFKA_BROKERS', 'localhost'],
    ['KAFKA_BROKERS', ','],
    ['NATS_URL', 'http://localhost:4222'],
    ['MQTT_URL', 'not a url'],
    ['DATABASE_URL', 'mysql://localhost/streamline'],
    ['LOG_LEVEL', 'verbose'],
    ['SHUTDOWN_TIMEOUT_MS', '-5'],
  ])('names %s when it is %p', (variable, value) => {
    expect(problemsOf({ [variable]: value })).toEqual([variable]);
  });

  it('names every bad variable at once, in the message too', () => {
    expect.assertions(2);
    try {
      loadConfig(schema, { PORT: 'x', NATS_URL: 'y' });
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
        'NATS_URL',
        'PORT',
      ]);
      expect((error as ConfigError).message).toMatch(
        /^invalid configuration: .*(PORT|NATS_URL): .*; (PORT|NATS_URL): /,
      );
    }
  });

  it('reports an object-level failure without a variable name as (environment)', () => {
    const strict = z.object({ A: z.string() }).refine(() => false, { message: 'never valid' });
    expect(() => loadConfig(strict, { A: 'x' })).toThrow('(environment): never valid');
  });
});
