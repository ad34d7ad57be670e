import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  alertContract,
  DEAD_LETTER_STREAM_SETTINGS,
  defineContract,
  formatIssues,
  JETSTREAM_CONSUMER_SETTINGS,
  STREAM_SETTINGS,
  STREAMS,
  validate,
  type Alert,
} from '@streamline/contracts';
import {
  inTransaction,
  isRetryableSqlError,
  NonRetryableError,
  RetryableError,
  type JetStreamMessage,
  type JetStreamProvisioning,
} from '@streamline/messaging';
import { JetStreamConsumersService } from '@streamline/nest-messaging';
import { InjectConfig } from '@streamline/platform';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { CdcSinkConfig } from '../config/cdc-sink.config';
import { extraFields, type Decoded } from '../sink/sink-decoders';
import { SINK_POOL } from '../sink/sink-pool';
import { alertSink } from '../sink/sink-tables';

const KNOWN_ALERT_FIELDS = new Set(Object.keys(alertContract.schema.shape));

/** The alert contract, plus the fields it does not know (kept in `extra`). */
const alertWithExtraContract = defineContract(
  alertContract.name,
  alertContract.version,
  z.unknown().transform((raw, ctx): Decoded<Alert> => {
    const result = validate(alertContract, raw);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: formatIssues(result.issues) });
      return z.NEVER;
    }
    return { value: result.value, extra: extraFields(raw, KNOWN_ALERT_FIELDS) };
  }),
);

/** The stream and durable consumer the sink reads alerts from (names from the configuration). */
export function alertsJetStream(config: CdcSinkConfig): JetStreamProvisioning {
  const stream = {
    ...STREAM_SETTINGS.ALERTS,
    name: config.CDC_SINK_ALERTS_STREAM,
    subjects: [config.CDC_SINK_ALERTS_SUBJECTS],
  };
  const consumer = {
    ...JETSTREAM_CONSUMER_SETTINGS.CDC_SINK_ALERTS,
    stream: stream.name,
    durable_name: config.CDC_SINK_ALERTS_CONSUMER,
    filter_subject: config.CDC_SINK_ALERTS_SUBJECTS,
  };
  // Alerts that fail their contract are dead-lettered to the shared DEAD_LETTERS stream; a test
  // stream of its own name leaves the production streams alone.
  const production = stream.name === STREAMS.ALERTS;
  return {
    streams: production ? [stream, DEAD_LETTER_STREAM_SETTINGS] : [stream],
    consumers: [consumer],
  };
}

/**
 * Alerts from JetStream into `analytics.alerts`: one row per alert id (a duplicate keeps the
 * first row), acknowledged only after the row is committed. A database that is down makes the
 * delivery retryable: the worker `nak`s it with backoff and it comes back.
 */
@Injectable()
export class AlertsSinkService {
  private readonly logger = new Logger(AlertsSinkService.name);
  private readonly sink: ReturnType<typeof alertSink>;

  constructor(
    @Inject(SINK_POOL) private readonly pool: Pool,
    @InjectConfig() config: CdcSinkConfig,
    consumers: JetStreamConsumersService,
  ) {
    this.sink = alertSink(config.CDC_SINK_WRITE_MODE);
    consumers.register(
      {
        stream: config.CDC_SINK_ALERTS_STREAM,
        consumer: config.CDC_SINK_ALERTS_CONSUMER,
        contract: alertWithExtraContract,
      },
      (message) => this.onAlert(message),
    );
  }

  async onAlert(message: JetStreamMessage<Decoded<Alert>>): Promise<void> {
    try {
      await inTransaction(this.pool, (client) => this.sink.write(client, [message.value]));
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isRetryableSqlError(error)) {
        throw new RetryableError('ALERT_STORE_UNAVAILABLE', reason, { cause: error });
      }
      throw new NonRetryableError('ALERT_REFUSED', reason, { cause: error });
    }
    this.logger.debug(
      `alert ${message.value.value.alertId} stored (seq ${message.streamSequence})`,
    );
  }
}
