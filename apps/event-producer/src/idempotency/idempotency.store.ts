/** The response a request got, kept to answer its retries. */
export interface StoredReply {
  status: number;
  body: unknown;
}

/** Identifies one idempotent request: the endpoint, the client's key, and what was asked. */
export interface IdempotentRequest {
  /** The endpoint, e.g. `POST /events`: the same key on two endpoints names two requests. */
  scope: string;
  key: string;
  /** Hash of everything that makes the request what it is (body, delivery mode). */
  fingerprint: string;
}

/** What claiming a key found. */
export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'completed'; reply: StoredReply }
  | { kind: 'in-progress' }
  | { kind: 'mismatch' };

/** Where keys live (Postgres in the service, a map in unit tests). */
export interface IdempotencyStore {
  /**
   * Atomically claims the key for this request, unless a live claim exists: then reports it.
   * An expired key, or an unfinished claim of the same request whose lease ran out (its process
   * died), is taken over.
   */
  claim(request: IdempotentRequest, ttlMs: number, leaseMs: number): Promise<ClaimResult>;
  /** Records the reply of a claimed request. */
  complete(request: IdempotentRequest, reply: StoredReply): Promise<void>;
  /** Drops an unfinished claim so that a retry can run the request again. */
  release(request: IdempotentRequest): Promise<void>;
  /** Deletes expired keys; returns how many. */
  purgeExpired(): Promise<number>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
