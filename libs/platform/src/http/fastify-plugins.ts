import { createHash } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CODES, ServiceError } from './service-error';

/**
 * Who a client is, as far as the server can vouch for it: an API key counts only when it is one
 * the operator issued (`apiKeys`); anything else (no key, an invented key) is the client address,
 * Fastify's `request.ip`: the socket's peer unless the platform's trustProxy names the proxies
 * whose X-Forwarded-For may be believed. So neither a made-up key nor a forged header gives a
 * client a fresh rate-limit budget, or someone else's idempotency keys.
 */
export interface ClientIdentitySettings {
  /** Header that carries an API key (e.g. `x-api-key`); without it only the address counts. */
  keyHeader?: string;
  /** The API keys issued to clients; a key not listed identifies nobody. */
  apiKeys?: readonly string[];
}

/** Per-client request budget, per client identity (see ClientIdentitySettings). */
export interface RateLimitSettings extends ClientIdentitySettings {
  max: number;
  windowMs: number;
}

/** Platform endpoints probed by orchestrators and scrapers are never rate limited. */
const EXEMPT_ROUTES = /^\/(health|metrics|docs)(\/|$)/;

function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/**
 * Builds the function naming a request's client: `key:<sha-256 of an issued API key>` (hashed, so
 * no secret sits in buckets or database rows) or `ip:<client address>`.
 */
export function clientIdentifier(
  settings: ClientIdentitySettings,
): (request: Pick<FastifyRequest, 'headers' | 'ip'>) => string {
  const header = settings.keyHeader?.toLowerCase();
  const issued = new Set((settings.apiKeys ?? []).map(keyDigest));
  return (request) => {
    const raw = header === undefined || issued.size === 0 ? undefined : request.headers[header];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined && value.length > 0) {
      const digest = keyDigest(value);
      if (issued.has(digest)) return `key:${digest}`;
    }
    return `ip:${request.ip}`;
  };
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
    keyGenerator: clientIdentifier(settings),
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
