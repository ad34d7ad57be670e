import type { Logger } from '@nestjs/common';
import type { SendUntilAcknowledgedPolicy } from '@streamline/messaging';
import type { IngestMetrics } from './ingest.metrics';

/** Retry warnings are logged at most this often: every batch in flight retries during an outage. */
const RETRY_LOG_INTERVAL_MS = 5_000;

type OnRetry = NonNullable<SendUntilAcknowledgedPolicy['onRetry']>;

/** An `onRetry` that counts every retried record and logs a warning at most every 5 s. */
export function produceRetryReporter(
  logger: Logger,
  metrics: IngestMetrics,
  message: string,
): OnRetry {
  let lastLog = 0;
  return ({ attempt, records, failure, delayMs }) => {
    metrics.produceRetried(records);
    const now = Date.now();
    if (now - lastLog < RETRY_LOG_INTERVAL_MS) return;
    lastLog = now;
    logger.warn({ attempt, records, code: failure.code, error: failure.message, delayMs }, message);
  };
}
