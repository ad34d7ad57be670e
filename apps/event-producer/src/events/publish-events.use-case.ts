import { Inject, Injectable } from '@nestjs/common';
import { userActivityContract, userActivityInputContract } from '@streamline/contracts';
import { InjectConfig, RequestValidationError } from '@streamline/platform';
import { checkContract } from '../common/contract-validation';
import type { EventProducerConfig } from '../config/event-producer.config';
import { IdempotencyService, type IdempotentReply } from '../idempotency/idempotency.service';
import type { StoredReply } from '../idempotency/idempotency.store';
import { derivedEventId, fingerprintOf } from '../idempotency/request-fingerprint';
import type { DeliveryMode } from './delivery-mode';
import { recordsOf } from './event-batch';
import { EventsMetrics } from './events.metrics';
import { deliverRecords, requestStatus, type CheckedRecord } from './record-delivery';
import { RECORD_PUBLISHER, type RecordPublisher } from './record-publisher';

export interface PublishEventsCommand {
  /** Who asked (platform `clientIdentifier`): idempotency keys are scoped per client. */
  client: string;
  body: unknown;
  mode: DeliveryMode;
  traceparent?: string;
  idempotencyKey?: string;
}

const SCOPE = 'POST /events';

/**
 * `POST /events`: validates one event or a batch against the user-activity contract, produces
 * the valid ones keyed by userId (so a user's events share a partition), and answers per record.
 * With an Idempotency-Key the whole request runs at most once.
 */
@Injectable()
export class PublishEventsUseCase {
  constructor(
    @Inject(RECORD_PUBLISHER) private readonly publisher: RecordPublisher,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: EventsMetrics,
    @InjectConfig() private readonly config: Pick<EventProducerConfig, 'EVENTS_TOPIC'>,
  ) {}

  async execute(command: PublishEventsCommand): Promise<IdempotentReply> {
    const { single, items } = recordsOf(command.body);
    const key = command.idempotencyKey;
    const fingerprint =
      key === undefined
        ? undefined
        : fingerprintOf({ scope: SCOPE, variant: command.mode, body: command.body });
    // Per client: two clients' requests with one key must not derive the same eventIds.
    const idSeed = key === undefined ? undefined : `${command.client}:${key}:${fingerprint}`;
    const checked = items.map((item, index) =>
      this.check(item, index, single, command.traceparent, idSeed),
    );
    const refused = checked.filter((c) => !c.ok);
    if (refused.length === checked.length) {
      this.metrics.count('events', command.mode, 'rejected', refused.length);
      throw new RequestValidationError(
        refused.flatMap((c) => (c.ok ? [] : c.issues)),
        single ? undefined : 'no event of the batch is valid',
      );
    }
    const run = () => this.produce(checked, single, command.mode);
    if (key === undefined || fingerprint === undefined)
      return { ...(await run()), replayed: false };
    return this.idempotency.execute(
      { client: command.client, scope: SCOPE, key, fingerprint },
      run,
    );
  }

  private check(
    item: unknown,
    index: number,
    single: boolean,
    traceparent: string | undefined,
    idSeed: string | undefined,
  ): CheckedRecord {
    let input = item;
    // A retried idempotent request must produce the same eventIds as its first run.
    if (idSeed !== undefined && isObject(item) && item['eventId'] === undefined) {
      input = { ...item, eventId: derivedEventId(idSeed, index) };
    }
    const result = checkContract(userActivityInputContract, input, single ? '' : String(index));
    if (!result.ok) return { index, ok: false, issues: result.issues };
    const event = result.value;
    return {
      index,
      ok: true,
      eventId: event.eventId,
      record: {
        topic: this.config.EVENTS_TOPIC,
        contract: userActivityContract,
        key: event.userId,
        value: event,
        ...(traceparent === undefined ? {} : { traceparent }),
      },
    };
  }

  private async produce(
    checked: CheckedRecord[],
    single: boolean,
    mode: DeliveryMode,
  ): Promise<StoredReply> {
    const results = await deliverRecords(checked, mode, {
      publisher: this.publisher,
      metrics: this.metrics,
      endpoint: 'events',
    });
    const status = requestStatus(results, mode);
    if (single) {
      // One event: its result is the body (index and per-record status add nothing).
      const [{ index: _index, status: _status, ...only }] = results as [(typeof results)[number]];
      return { status, body: only };
    }
    const count = (ok: (s: number) => boolean) => results.filter((r) => ok(r.status)).length;
    return {
      status,
      body: {
        accepted: count((s) => s === 201 || s === 202),
        rejected: count((s) => s === 400),
        failed: count((s) => s >= 500),
        results,
      },
    };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
