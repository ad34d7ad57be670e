import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectConfig, ServiceError } from '@streamline/platform';
import type { EventProducerConfig } from '../config/event-producer.config';
import {
  IDEMPOTENCY_STORE,
  type IdempotencyStore,
  type IdempotentRequest,
  type StoredReply,
} from './idempotency.store';

export const IDEMPOTENCY_ERRORS = {
  /** The key was used for a different request: 422. */
  KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** The first request with this key has not finished yet: 409, retry shortly. */
  IN_PROGRESS: 'IDEMPOTENCY_KEY_IN_PROGRESS',
} as const;

/** A request of one client: the same key from two clients names two requests. */
export type ClientRequest = IdempotentRequest & {
  /** Who asked, as the server vouches for it (an issued API key's digest or the client address). */
  client: string;
};

/** A reply, and whether it was the stored reply of an earlier request. */
export type IdempotentReply = StoredReply & { replayed: boolean };

/**
 * Runs a request at most once per Idempotency-Key: the first request claims the key (a unique
 * row, so concurrent requests cannot both win) and stores its reply; a retry with the same
 * request gets that reply without running again; another request with the key gets 422. Keys are
 * scoped per client: one client can neither replay nor block another's request by guessing its key.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @InjectConfig()
    private readonly config: Pick<
      EventProducerConfig,
      'IDEMPOTENCY_TTL_MS' | 'IDEMPOTENCY_LEASE_MS'
    >,
  ) {}

  /** Runs `work` unless this request already ran (then its reply is returned). */
  async execute(
    { client, ...asked }: ClientRequest,
    work: () => Promise<StoredReply>,
  ): Promise<IdempotentReply> {
    // The stored scope names the client: `ip:10.0.0.7 POST /events`.
    const request: IdempotentRequest = { ...asked, scope: `${client} ${asked.scope}` };
    const claim = await this.store.claim(
      request,
      this.config.IDEMPOTENCY_TTL_MS,
      this.config.IDEMPOTENCY_LEASE_MS,
    );
    switch (claim.kind) {
      case 'completed':
        return { ...claim.reply, replayed: true };
      case 'mismatch':
        throw new ServiceError(
          IDEMPOTENCY_ERRORS.KEY_REUSED,
          'this Idempotency-Key was already used for a different request; use a new key',
        );
      case 'in-progress':
        throw new ServiceError(
          IDEMPOTENCY_ERRORS.IN_PROGRESS,
          'a request with this Idempotency-Key is still being processed; retry shortly',
          true,
          { retryAfterSeconds: 1 },
        );
      case 'claimed':
        break;
    }
    let reply: StoredReply;
    try {
      reply = await work();
    } catch (error) {
      // Nothing to replay: free the key so the client's retry runs the request again.
      await this.store.release(request).catch((releaseError: unknown) => {
        this.logger.warn(
          `could not release idempotency key (its lease expires): ${String(releaseError)}`,
        );
      });
      throw error;
    }
    try {
      await this.store.complete(request, reply);
    } catch (error) {
      // The records are in Kafka: the client must hear so. A retry meets the claim until its lease ends.
      this.logger.warn(`could not store the reply of an idempotent request: ${String(error)}`);
    }
    return { ...reply, replayed: false };
  }
}
