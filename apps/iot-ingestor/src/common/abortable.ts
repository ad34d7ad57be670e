import { RetryableError } from '@streamline/messaging';

/** The work was given up because its MQTT ack can no longer be sent; the broker re-sends it. */
export class IngestAbortedError extends RetryableError {
  constructor() {
    super('INGEST_ABORTED', 'gave up: the MQTT connection was lost or the ingestor is stopping');
  }
}

/** Resolves after `ms`; rejects with IngestAbortedError as soon as the signal aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new IngestAbortedError());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new IngestAbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Waits for `work` unless the signal aborts first (then rejects with IngestAbortedError).
 * The work itself goes on: a record handed to the producer cannot be taken back.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new IngestAbortedError());
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(new IngestAbortedError());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
