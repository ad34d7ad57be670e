import type { FastifyReply } from 'fastify';
import type { IdempotentReply } from '../idempotency/idempotency.service';

/** Header on a response that repeats the stored reply of an earlier request with the same key. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** Sends a use case's reply with its own status (201, 202, 207…), marking replays. */
export function sendReply(reply: FastifyReply, result: IdempotentReply): void {
  if (result.replayed) void reply.header(REPLAYED_HEADER, 'true');
  void reply.status(result.status).send(result.body);
}
