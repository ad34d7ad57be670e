import { RetryableError } from '@streamline/messaging';

/** The work was given up because its MQTT ack can no longer be sent; the broker re-sends it. */
export class IngestAbortedError extends RetryableError {
  constructor() {
    super('INGEST_ABORTED', 'gave up: the MQTT connection was lost or the ingestor is stopping');
  }
}
