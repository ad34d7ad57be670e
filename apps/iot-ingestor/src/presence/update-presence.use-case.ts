import { Inject, Injectable, Logger } from '@nestjs/common';
import { formatIssues, statusOfPayload, type DevicePresence } from '@streamline/contracts';
import { sendUntilAcknowledged, type BackoffPolicy } from '@streamline/messaging';
import { IngestAbortedError } from '../common/ingest-aborted.error';
import { IngestMetrics } from '../common/ingest.metrics';
import { DeviceTopicPattern } from '../mqtt/device-topic';
import { PRESENCE_STORE, type PresenceStore } from './presence.store';

/** A message on `sensors/<deviceId>/status`: a birth message or a Last Will. */
export interface StatusMessage {
  topic: string;
  payload: Buffer;
  receivedAt: number;
}

export interface StatusSettings {
  statusFilter: string;
  retryBackoff: BackoffPolicy;
}

export const STATUS_SETTINGS = Symbol('STATUS_SETTINGS');

export type StatusOutcome =
  { result: 'updated'; presence: DevicePresence } | { result: 'ignored'; reason: string };

/**
 * Applies a device's status message to its presence: `online`/`offline` with `lastSeen` = the
 * receive time (a Last Will is composed at connect time, so nothing inside it is current). A
 * payload that is not a status is counted and ignored; a KV write is retried until it is stored
 * (the MQTT ack waits), so a status is never lost to a NATS outage.
 */
@Injectable()
export class UpdatePresenceUseCase {
  private readonly logger = new Logger(UpdatePresenceUseCase.name);
  private readonly topics: DeviceTopicPattern;

  constructor(
    @Inject(PRESENCE_STORE) private readonly store: PresenceStore,
    private readonly metrics: IngestMetrics,
    @Inject(STATUS_SETTINGS) private readonly settings: StatusSettings,
  ) {
    this.topics = new DeviceTopicPattern(settings.statusFilter);
  }

  async execute(message: StatusMessage, signal: AbortSignal): Promise<StatusOutcome> {
    const device = this.topics.deviceOf(message.topic);
    if (!device?.safe) {
      return this.ignore('invalid_topic', `topic level is not a device id: ${message.topic}`);
    }
    // An empty retained message only clears the retained status at the broker.
    if (message.payload.length === 0) return { result: 'ignored', reason: 'empty' };
    const status = statusOfPayload(message.payload);
    if (!status.ok) return this.ignore('invalid_status', formatIssues(status.issues));
    const presence: DevicePresence = {
      deviceId: device.deviceId,
      status: status.value,
      lastSeen: message.receivedAt,
    };
    const written = await sendUntilAcknowledged(
      (value: DevicePresence) => this.store.setStatus(value),
      [presence],
      {
        backoff: this.settings.retryBackoff,
        signal,
        onRetry: ({ attempt, failure, delayMs }) => {
          this.metrics.presenceWritten('status', 'error');
          this.logger.warn(
            { deviceId: presence.deviceId, attempt, delayMs, err: failure },
            'presence write failed; retrying, MQTT ack held',
          );
        },
      },
    );
    if (written.aborted) throw new IngestAbortedError();
    this.metrics.presenceWritten('status', 'ok');
    return { result: 'updated', presence };
  }

  private ignore(reason: string, detail: string): StatusOutcome {
    this.metrics.invalidInput('status', reason);
    this.logger.warn({ reason, detail }, 'status message ignored');
    return { result: 'ignored', reason };
  }
}
