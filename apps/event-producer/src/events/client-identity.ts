import type { FastifyRequest } from 'fastify';

/** Names the client of a request as the server vouches for it (platform `clientIdentifier`). */
export type ClientIdentifier = (request: Pick<FastifyRequest, 'headers' | 'ip'>) => string;

/** The rate limit's own identity function, so the limit and idempotency keys agree on who asked. */
export const CLIENT_IDENTIFIER = Symbol('CLIENT_IDENTIFIER');
