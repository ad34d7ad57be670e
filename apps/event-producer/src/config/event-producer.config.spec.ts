import { TOPICS } from '@streamline/contracts';
import { ConfigError, loadConfig } from '@streamline/platform';
import { describeDeploymentConfig } from '@streamline/testing';
import { eventProducerService } from '../event-producer.service';
import { eventProducerConfigSchema } from './event-producer.config';

describeDeploymentConfig(eventProducerService, { port: 3002 });

describe('event-producer settings', () => {
  function problemOf(env: Record<string, string>): string[] {
    try {
      loadConfig(eventProducerConfigSchema, env);
      return [];
    } catch (error) {
      return (error as ConfigError).problems.map((p) => p.variable);
    }
  }

  it('defaults to the real topic, only its own topic writable over the proxy and a per-API-key rate limit', () => {
    const config = loadConfig(eventProducerConfigSchema, {});
    expect(config.EVENTS_TOPIC).toBe(TOPICS.USER_ACTIVITY);
    // Telemetry belongs to the iot-ingestor: writable over HTTP only when an operator says so.
    expect(config.PROXY_TOPICS).toEqual([TOPICS.USER_ACTIVITY]);
    expect(
      loadConfig(eventProducerConfigSchema, {
        PROXY_TOPICS: `${TOPICS.USER_ACTIVITY},${TOPICS.TELEMETRY}`,
      }).PROXY_TOPICS,
    ).toEqual([TOPICS.USER_ACTIVITY, TOPICS.TELEMETRY]);
    expect(config.RATE_LIMIT_KEY_HEADER).toBe('x-api-key');
    expect(config.KAFKA_DELIVERY_TIMEOUT_MS).toBe(10_000);
    expect(config.KAFKA_COMPRESSION).toBe('none');
  });

  it('reads the rate-limit key header, or none for IP only', () => {
    expect(
      loadConfig(eventProducerConfigSchema, { RATE_LIMIT_KEY_HEADER: 'X-Client' })
        .RATE_LIMIT_KEY_HEADER,
    ).toBe('x-client');
    expect(
      loadConfig(eventProducerConfigSchema, { RATE_LIMIT_KEY_HEADER: 'none' })
        .RATE_LIMIT_KEY_HEADER,
    ).toBeUndefined();
  });

  it.each([
    ['PROXY_TOPICS', `${TOPICS.USER_ACTIVITY},${TOPICS.USER_SESSIONS}`],
    ['PROXY_TOPICS', `${TOPICS.USER_ACTIVITY}.dlq`],
    ['EVENTS_TOPIC', 'has space'],
    ['RATE_LIMIT_MAX', '0'],
    ['KAFKA_DELIVERY_TIMEOUT_MS', '-1'],
    ['RATE_LIMIT_KEY_HEADER', 'x api key'],
    ['KAFKA_COMPRESSION', 'zstd'],
    ['API_KEYS', 'long-enough-key-0001,short'],
  ])('names %s when it is %p', (variable, value) => {
    expect(problemOf({ [variable]: value })).toEqual([variable]);
  });
});
