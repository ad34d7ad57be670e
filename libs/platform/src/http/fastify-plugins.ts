import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CODES, ServiceError } from './service-error';

/** Per-client request budget; `keyHeader` (e.g. `x-api-key`) names the client when present. */
export interface RateLimitSettings {
  max: number;
  windowMs: number;
  /** Header whose value identifies the client (hashed); without it the client IP does. */
  keyHeader?: string;
}

/** Platform endpoints probed by orchestrators and scrapers are never rate limited. */
const EXEMPT_ROUTES = /^\/(health|metrics|docs)(\/|$)/;

/** The rate-limit bucket of a request: its API key (hashed, so no secret sits in memory) or its IP. */
export function rateLimitKey(request: FastifyRequest, keyHeader: string | undefined): string {
  const raw = keyHeader === undefined ? undefined : request.headers[keyHeader.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value !== undefined && value.length > 0) {
    return `key:${createHash('sha256').update(value).digest('hex').slice(0, 32)}`;
  }
  return `ip:${request.ip}`;
}

/** Whether a request goes to a platform endpoint (health, metrics, docs). */
export function isExemptFromRateLimit(
  request: Pick<FastifyRequest, 'url' | 'routeOptions'>,
): boolean {
  return EXEMPT_ROUTES.test(request.routeOptions.url ?? request.url);
}

/**
 * Rate limits every route (429 with Retry-After and the platform's error body). Registered as a
 * root `onRequest` hook so it also covers routes Nest registered before this runs, and it runs
 * before the body is read.
 */
export async function installRateLimit(
  fastify: FastifyInstance,
  settings: RateLimitSettings,
): Promise<void> {
  await fastify.register(rateLimit, {
    global: false,
    max: settings.max,
    timeWindow: settings.windowMs,
    keyGenerator: (request) => rateLimitKey(request, settings.keyHeader),
    allowList: (request) => isExemptFromRateLimit(request),
    errorResponseBuilder: (_request, context) =>
      new ServiceError(
        ERROR_CODES.RATE_LIMITED,
        `rate limit of ${context.max} requests per ${settings.windowMs} ms exceeded; retry in ${context.after}`,
        true,
        { retryAfterSeconds: Math.max(1, Math.ceil(context.ttl / 1000)) },
      ),
  });
  fastify.addHook('onRequest', fastify.rateLimit());
}

/** Security headers fit for a JSON API: nothing may be framed, scripted or sniffed. */
export async function installSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** Parses these media types as JSON too (e.g. `application/vnd.kafka.json.v2+json`). */
export function installJsonMediaTypes(fastify: FastifyInstance, types: readonly string[]): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  for (const type of types) {
    if (!fastify.hasContentTypeParser(type)) {
      fastify.addContentTypeParser(type, { parseAs: 'string' }, parse);
    }
  }
}
