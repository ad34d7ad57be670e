import type { Kafka } from 'kafkajs';
import type { MessagingLogger } from '@streamline/messaging';
import type { AggregatorConfig } from '../config/aggregator.config';
import { AggregatorEngine, type ClosedWindowsHook } from './aggregator-engine';
import { pipelineSettingsOf } from './pipeline-settings';

/** The engine as the configuration describes it (the service and the tests build it here). */
export function engineFromConfig(
  service: string,
  kafka: Kafka,
  config: AggregatorConfig,
  logger: MessagingLogger,
  onClosedWindows?: ClosedWindowsHook,
): AggregatorEngine {
  return new AggregatorEngine({
    kafka,
    settings: pipelineSettingsOf(service, config),
    groupId: config.AGG_GROUP_ID,
    transactionalIdPrefix: config.AGG_TRANSACTIONAL_ID_PREFIX,
    maxRecordsPerTransaction: config.AGG_MAX_RECORDS_PER_TRANSACTION,
    commitIntervalMs: config.AGG_COMMIT_INTERVAL_MS,
    punctuateIntervalMs: config.AGG_PUNCTUATE_INTERVAL_MS,
    partitionsConsumedConcurrently: config.AGG_PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: config.AGG_SESSION_TIMEOUT_MS,
    restoreTimeoutMs: config.AGG_RESTORE_TIMEOUT_MS,
    closedHistory: config.AGG_CLOSED_HISTORY,
    onClosedWindows,
    logger,
  });
}
