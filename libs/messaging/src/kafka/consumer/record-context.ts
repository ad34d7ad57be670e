import { HEADERS } from '@streamline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { headersToStrings } from '../record-headers';
import { headerValue, RETRY_GROUP_HEADER } from '../retry/failure-headers';
import type { RecordContext } from './consumer-options';

/** How a consumer group treats a record, judging by its retry headers. */
export interface RetryOrigin {
  /** A retry addressed to another group: skip it and commit past it. */
  skip: boolean;
  /** 1 for a first delivery, `retry.attempt` for a retry addressed to this group. */
  attempt: number;
}

const FIRST_DELIVERY: RetryOrigin = Object.freeze({ skip: false, attempt: 1 });
// Read once: a re-exported binding is a getter call on every access.
const RETRY_ATTEMPT = HEADERS.RETRY_ATTEMPT;

/** Reads `retry.attempt` and `retry.group`: which attempt this is, and whether it is ours at all. */
export function retryOriginOf(message: KafkaMessage, groupId: string): RetryOrigin {
  // Nearly every record is a first delivery: one `in` test (kafkajs' header objects are in
  // dictionary mode, where `in` is cheaper than a missed lookup) and no allocation for those.
  const headers = message.headers;
  if (headers === undefined || !(RETRY_ATTEMPT in headers)) return FIRST_DELIVERY;
  const attemptHeader = headerValue(message.headers, RETRY_ATTEMPT);
  if (attemptHeader === undefined) return FIRST_DELIVERY;
  const group = headerValue(message.headers, RETRY_GROUP_HEADER);
  // No group header: a retry from a producer that predates it, so every group takes it.
  if (group !== undefined && group !== groupId) return { skip: true, attempt: 1 };
  const attempt = Number(attemptHeader);
  return { skip: false, attempt: Number.isInteger(attempt) && attempt >= 1 ? attempt : 1 };
}

/** A RecordContext that decodes the key and headers only if the handler reads them. */
export class LazyRecordContext implements RecordContext {
  private cachedHeaders: Record<string, string> | undefined;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly message: KafkaMessage,
    readonly attempt: number,
    readonly signal: AbortSignal,
  ) {}

  get offset(): string {
    return this.message.offset;
  }

  get timestamp(): string {
    return this.message.timestamp;
  }

  get key(): string | null {
    return this.message.key?.toString() ?? null;
  }

  get headers(): Record<string, string> {
    this.cachedHeaders ??= headersToStrings(this.message.headers);
    return this.cachedHeaders;
  }

  /** A plain copy, for logs and for handlers that keep the context beyond the call. */
  toJSON(): Omit<RecordContext, 'signal'> {
    const { topic, partition, offset, key, headers, timestamp, attempt } = this;
    return { topic, partition, offset, key, headers, timestamp, attempt };
  }
}
