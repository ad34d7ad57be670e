import { loadConfig, type ServiceConfig, type ServiceDefinition } from '@streamline/platform';
import type { z } from 'zod';
import { composeServiceEnvironment, loadComposeFile } from './compose-file';

/**
 * The deployment files configure the service correctly: its docker-compose environment
 * passes the service's own configuration schema, and so do the defaults.
 */
export function describeDeploymentConfig<S extends z.ZodType<ServiceConfig>>(
  definition: ServiceDefinition<S>,
  expected: { port: number },
): void {
  describe(`${definition.name} configuration`, () => {
    it('starts with the defaults of this machine on its ARCHITECTURE.md port', () => {
      expect(loadConfig(definition.configSchema, {}).PORT).toBe(expected.port);
    });

    it('accepts the docker-compose environment', () => {
      const env = composeServiceEnvironment(loadComposeFile(), definition.name);
      const config = loadConfig(definition.configSchema, env);
      expect(config.PORT).toBe(expected.port);
      expect(config.NODE_ENV).toBe('production');
    });
  });
}
