import { Inject, Injectable } from '@nestjs/common';
import { contractForTopic, defineContract, type Contract } from '@streamline/contracts';
import {
  InjectConfig,
  RequestValidationError,
  ServiceError,
  type RequestIssue,
} from '@streamline/platform';
import { checkContract } from '../common/contract-validation';
import type { EventProducerConfig } from '../config/event-producer.config';
import { IdempotencyService, type IdempotentReply } from '../idempotency/idempotency.service';
import type { StoredReply } from '../idempotency/idempotency.store';
import { fingerprintOf } from '../idempotency/request-fingerprint';
import type { DeliveryMode } from './delivery-mode';
import { checkCount, checkDepth } from './event-batch';
import { EventsMetrics } from './events.metrics';
import { proxyEnvelopeSchema, proxyRecordSchema } from './proxy-envelope';
import { otherOwnerOf, proxyKeyFieldOf } from './proxy-topics';
import {
  deliverRecords,
  requestStatus,
  type CheckedRecord,
  type RecordResult,
} from './record-delivery';
import { RECORD_PUBLISHER, type RecordPublisher } from './record-publisher';

export interface ProduceTopicRecordsCommand {
  /** Who asked (platform `clientIdentifier`): idempotency keys are scoped per client. */
  client: string;
  topic: string;
  body: unknown;
  mode: DeliveryMode;
  traceparent?: string;
  idempotencyKey?: string;
}

export const PROXY_ERRORS = {
  TOPIC_NOT_FOUND: 'TOPIC_NOT_FOUND',
  TOPIC_OWNED_BY_OTHER_SERVICE: 'TOPIC_OWNED_BY_OTHER_SERVICE',
} as const;

const envelopeContract = defineContract('rest-proxy.records', 2, proxyEnvelopeSchema);
const recordContract = defineContract('rest-proxy.record', 2, proxyRecordSchema);

/**
 * `POST /topics/:topic/records`: a REST-proxy style write to one of the topics clients may write.
 * Each value is checked against the topic's contract and keyed by its entity id.
 */
@Injectable()
export class ProduceTopicRecordsUseCase {
  constructor(
    @Inject(RECORD_PUBLISHER) private readonly publisher: RecordPublisher,
    private readonly idempotency: IdempotencyService,
    private readonly metrics: EventsMetrics,
    @InjectConfig() private readonly config: Pick<EventProducerConfig, 'PROXY_TOPICS'>,
  ) {}

  async execute(command: ProduceTopicRecordsCommand): Promise<IdempotentReply> {
    const { contract, keyField } = this.writable(command.topic);
    checkDepth(command.body);
    const envelope = checkContract(envelopeContract, command.body);
    if (!envelope.ok) throw new RequestValidationError(envelope.issues);
    checkCount(envelope.value.records.length);
    const checked = envelope.value.records.map((raw, index) =>
      this.check(raw, index, command, contract, keyField),
    );
    if (checked.every((c) => !c.ok)) {
      this.metrics.count('proxy', command.mode, 'rejected', checked.length);
      throw new RequestValidationError(
        checked.flatMap((c) => (c.ok ? [] : c.issues)),
        'no record of the request is valid',
      );
    }
    const run = () => this.produce(checked, command.mode);
    const key = command.idempotencyKey;
    if (key === undefined) return { ...(await run()), replayed: false };
    const scope = `POST /topics/${command.topic}/records`;
    const fingerprint = fingerprintOf({ scope, variant: command.mode, body: command.body });
    return this.idempotency.execute({ client: command.client, scope, key, fingerprint }, run);
  }

  private writable(topic: string): { contract: Contract; keyField: string } {
    const keyField = proxyKeyFieldOf(topic);
    const contract = contractForTopic(topic);
    if (
      !this.config.PROXY_TOPICS.includes(topic) ||
      keyField === undefined ||
      contract === undefined
    ) {
      const owner = otherOwnerOf(topic);
      if (owner !== undefined) {
        throw new ServiceError(
          PROXY_ERRORS.TOPIC_OWNED_BY_OTHER_SERVICE,
          `${topic} is produced by ${owner}; this service writes only ${this.config.PROXY_TOPICS.join(', ')}`,
        );
      }
      throw new ServiceError(
        PROXY_ERRORS.TOPIC_NOT_FOUND,
        `topic "${topic}" does not exist or is not writable here; writable: ${this.config.PROXY_TOPICS.join(', ')}`,
      );
    }
    return { contract, keyField };
  }

  private check(
    raw: unknown,
    index: number,
    command: ProduceTopicRecordsCommand,
    contract: Contract,
    keyField: string,
  ): CheckedRecord {
    const prefix = `records.${index}`;
    const shape = checkContract(recordContract, raw, prefix);
    if (!shape.ok) return { index, ok: false, issues: shape.issues };
    const value = checkContract(contract, shape.value.value, `${prefix}.value`);
    if (!value.ok) return { index, ok: false, issues: value.issues };
    const entityId = (value.value as Record<string, unknown>)[keyField];
    const given = shape.value.key;
    if (typeof entityId !== 'string' || (given != null && given !== entityId)) {
      const issue: RequestIssue = {
        path: `${prefix}.key`,
        reason: `must be the record's ${keyField} (the entity id decides the partition) or be left out`,
        code: 'custom',
      };
      return { index, ok: false, issues: [issue] };
    }
    return {
      index,
      ok: true,
      record: {
        topic: command.topic,
        contract: contract as Contract<unknown, never>,
        key: entityId,
        value: value.value,
        ...(shape.value.headers === undefined ? {} : { headers: shape.value.headers }),
        ...(command.traceparent === undefined ? {} : { traceparent: command.traceparent }),
      },
    };
  }

  private async produce(checked: CheckedRecord[], mode: DeliveryMode): Promise<StoredReply> {
    const results = await deliverRecords(checked, mode, {
      publisher: this.publisher,
      metrics: this.metrics,
      endpoint: 'proxy',
    });
    const status = requestStatus(results, mode);
    // REST proxy v2 answers 200 when every record is written; 201 is our /events convention.
    return {
      status: status === 201 ? 200 : status,
      body: { key_schema_id: null, value_schema_id: null, offsets: results.map(toOffset) },
    };
  }
}

/** A record's result in the REST proxy's `offsets` shape, plus our per-record status. */
function toOffset(result: RecordResult): Record<string, unknown> {
  switch (result.status) {
    case 201:
      return { ...result, error_code: null, error: null };
    case 202:
      return { ...result, partition: null, offset: null, error_code: null, error: null };
    case 400:
      return { ...result, partition: null, offset: null, error_code: 400, error: result.reason };
    default:
      return {
        ...result,
        partition: null,
        offset: null,
        error_code: result.status,
        error: result.reason,
      };
  }
}
