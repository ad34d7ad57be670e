import type { ErrorStatusMap } from '@streamline/platform';
import { DEVICE_ERRORS } from '../devices/manage-devices.use-case';
import { KAFKA_UNAVAILABLE } from '../events/kafka-record-publisher';
import { PROXY_ERRORS } from '../events/produce-topic-records.use-case';
import { IDEMPOTENCY_ERRORS } from '../idempotency/idempotency.service';

/** event-producer's error codes and their HTTP statuses (the platform adds its own). */
export const EVENT_PRODUCER_ERROR_STATUSES: ErrorStatusMap = {
  [DEVICE_ERRORS.NOT_FOUND]: 404,
  [DEVICE_ERRORS.EXISTS]: 409,
  [PROXY_ERRORS.TOPIC_NOT_FOUND]: 404,
  [PROXY_ERRORS.TOPIC_OWNED_BY_OTHER_SERVICE]: 403,
  [IDEMPOTENCY_ERRORS.IN_PROGRESS]: 409,
  [IDEMPOTENCY_ERRORS.KEY_REUSED]: 422,
  [KAFKA_UNAVAILABLE]: 503,
  // The shared producer's codes (libs/messaging producer-errors): Kafka unreachable or too slow.
  KAFKA_DELIVERY_TIMEOUT: 503,
  KAFKA_SEND_FAILED: 503,
  KAFKA_PRODUCER_BUFFER_FULL: 503,
  KAFKA_PRODUCER_CLOSED: 503,
  // Kafka refused the record itself (too large, not authorised): not the client's fault, nor passing.
  KAFKA_SEND_REJECTED: 502,
};
