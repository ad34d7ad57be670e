import { ServiceError, type ErrorStatusMap } from '@streamline/platform';

export const DLQ_ERRORS = {
  NOT_FOUND: 'DEAD_LETTER_NOT_FOUND',
  REPLAY_NOT_FOUND: 'REPLAY_NOT_FOUND',
  DISCARDED: 'DEAD_LETTER_DISCARDED',
  REPLAY_LIMIT: 'REPLAY_LIMIT_REACHED',
  TARGET_REQUIRED: 'TARGET_TOPIC_REQUIRED',
  TARGET_INVALID: 'TARGET_TOPIC_INVALID',
  KAFKA_UNAVAILABLE: 'KAFKA_UNAVAILABLE',
  NATS_UNAVAILABLE: 'NATS_UNAVAILABLE',
} as const;

/** dlq-handler's error codes and their HTTP statuses (the platform adds its own). */
export const DLQ_ERROR_STATUSES: ErrorStatusMap = {
  [DLQ_ERRORS.NOT_FOUND]: 404,
  [DLQ_ERRORS.REPLAY_NOT_FOUND]: 404,
  [DLQ_ERRORS.DISCARDED]: 409,
  [DLQ_ERRORS.REPLAY_LIMIT]: 409,
  [DLQ_ERRORS.TARGET_REQUIRED]: 400,
  [DLQ_ERRORS.TARGET_INVALID]: 400,
  [DLQ_ERRORS.KAFKA_UNAVAILABLE]: 503,
  [DLQ_ERRORS.NATS_UNAVAILABLE]: 503,
  // The shared producer's codes (libs/messaging producer-errors).
  KAFKA_DELIVERY_TIMEOUT: 503,
  KAFKA_SEND_FAILED: 503,
  KAFKA_PRODUCER_BUFFER_FULL: 503,
  KAFKA_PRODUCER_CLOSED: 503,
  KAFKA_SEND_REJECTED: 502,
};

export function deadLetterNotFound(id: string): ServiceError {
  return new ServiceError(DLQ_ERRORS.NOT_FOUND, `no dead letter ${id}`);
}
