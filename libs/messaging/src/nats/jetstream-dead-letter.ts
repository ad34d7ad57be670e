import { HEADERS, NATS_DLQ_HEADERS, natsOrigin } from '@streamline/contracts';
import type { JetStreamClient, PubAck } from 'nats';
import type { ErrorClassification } from '../errors/processing-error';
import { recordToNatsHeaders } from './nats-headers';

/** Where a dead-lettered JetStream message came from and why it failed. */
export interface NatsDeadLetter {
  service: string;
  stream: string;
  consumer: string;
  subject: string;
  streamSequence: number;
  /** When the original was stored, epoch ms. */
  timestampMs: number;
  deliveries: number;
  failure: Pick<ErrorClassification, 'errorClass' | 'message'>;
}

/** Longest `dlq.error.message` kept: headers are not the place for a stack of causes. */
const MAX_ERROR_MESSAGE = 1_000;

/**
 * The dead letter's headers: the original's own (minus `Nats-*` control headers, which would
 * de-duplicate or constrain the dead letter itself) plus the `dlq.*` headers.
 */
export function natsDeadLetterHeaders(
  original: Readonly<Record<string, string>>,
  letter: NatsDeadLetter,
): Record<string, string> {
  const kept = Object.fromEntries(
    Object.entries(original).filter(([name]) => !name.toLowerCase().startsWith('nats-')),
  );
  return {
    ...kept,
    [HEADERS.DLQ_ORIGIN_TOPIC]: natsOrigin(letter.subject),
    [HEADERS.DLQ_ORIGIN_OFFSET]: String(letter.streamSequence),
    [HEADERS.DLQ_ORIGIN_TIMESTAMP]: String(letter.timestampMs),
    [NATS_DLQ_HEADERS.ORIGIN_STREAM]: letter.stream,
    [NATS_DLQ_HEADERS.ORIGIN_CONSUMER]: letter.consumer,
    [NATS_DLQ_HEADERS.ORIGIN_SUBJECT]: letter.subject,
    [HEADERS.DLQ_SERVICE]: letter.service,
    [HEADERS.DLQ_ERROR_CLASS]: letter.failure.errorClass,
    [HEADERS.DLQ_ERROR_MESSAGE]: letter.failure.message.slice(0, MAX_ERROR_MESSAGE),
    [HEADERS.DLQ_ATTEMPTS]: String(letter.deliveries),
  };
}

/** The dead letter's `Nats-Msg-Id`: one per original message and consumer, so a re-send is dropped. */
export function natsDeadLetterMsgId(
  letter: Pick<NatsDeadLetter, 'stream' | 'consumer' | 'streamSequence'>,
): string {
  return `${letter.stream}:${letter.consumer}:${letter.streamSequence}`;
}

/** Publishes the original bytes to the dead-letter subject and waits until JetStream stored them. */
export async function publishNatsDeadLetter(
  js: JetStreamClient,
  subject: string,
  data: Uint8Array,
  originalHeaders: Readonly<Record<string, string>>,
  letter: NatsDeadLetter,
): Promise<PubAck> {
  return js.publish(subject, data, {
    headers: recordToNatsHeaders(natsDeadLetterHeaders(originalHeaders, letter)),
    msgID: natsDeadLetterMsgId(letter),
  });
}
