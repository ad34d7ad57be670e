import type { z } from 'zod';

/** Raised when the environment does not satisfy a service's configuration schema. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly retryable = false;

  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(
      `invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the configuration once. Empty strings count as unset, so
 * `PORT=` falls back to the default instead of failing as "not a number".
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      // The variable is the first path segment; deeper segments (a broker's index) go in the message.
      variable: issue.path.length > 0 ? String(issue.path[0]) : '(environment)',
      message:
        issue.path.length > 1
          ? `${issue.message} (at ${issue.path.slice(1).map(String).join('.')})`
          : issue.message,
    })),
  );
}
