import {
  ContractViolationError,
  contractHeaders,
  validate,
  type Contract,
} from '@streamline/contracts';
import { NatsError, type JetStreamClient, type PubAck } from 'nats';
import { NonRetryableError, RetryableError } from '../errors/processing-error';
import { recordToNatsHeaders } from './nats-headers';

/** One JetStream message to publish; the value is validated against its contract first. */
export interface OutgoingJetStreamMessage<T> {
  subject: string;
  value: T;
  /**
   * `Nats-Msg-Id`: JetStream drops a second message with the same id within the stream's
   * duplicate window (the PubAck then says `duplicate: true`). Make it deterministic.
   */
  msgId?: string;
  headers?: Record<string, string>;
  traceparent?: string;
  /** Rejects the publish unless this stream stores it (guards against a subject typo). */
  expectStream?: string;
  /** Milliseconds to wait for the PubAck. */
  timeoutMs?: number;
}

/**
 * Publishes JSON messages that satisfy a contract, with the contract headers and an optional
 * `Nats-Msg-Id`, and waits for JetStream's PubAck: a resolved publish is stored.
 */
export class JetStreamPublisher {
  constructor(private readonly js: () => Promise<JetStreamClient>) {}

  /** Validates, publishes and returns the PubAck; contract violations are not retryable. */
  async publish<T>(
    contract: Contract<T, never>,
    message: OutgoingJetStreamMessage<T>,
  ): Promise<PubAck> {
    const result = validate(contract, message.value);
    if (!result.ok) throw new ContractViolationError(contract.schemaId, result.issues);
    const headers = recordToNatsHeaders({
      ...message.headers,
      ...contractHeaders(contract, message.traceparent),
    });
    const js = await this.js();
    try {
      return await js.publish(message.subject, JSON.stringify(result.value), {
        headers,
        ...(message.msgId ? { msgID: message.msgId } : {}),
        ...(message.expectStream ? { expect: { streamName: message.expectStream } } : {}),
        ...(message.timeoutMs ? { timeout: message.timeoutMs } : {}),
      });
    } catch (error) {
      const reason = `publish to ${message.subject} failed: ${errorMessage(error)}`;
      // The stream answered and refused (wrong expected stream, too large): it will refuse again.
      if (error instanceof NatsError && error.api_error) {
        throw new NonRetryableError('JETSTREAM_PUBLISH_REJECTED', reason, { cause: error });
      }
      // No stream yet, a timeout, a disconnect: a later attempt may be stored.
      throw new RetryableError('JETSTREAM_PUBLISH_FAILED', reason, { cause: error });
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
