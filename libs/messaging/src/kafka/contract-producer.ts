import type { IHeaders, Producer, RecordMetadata } from 'kafkajs';
import {
  ContractViolationError,
  contractHeaders,
  validate,
  type Contract,
} from '@streamline/contracts';

/** One record to produce: the value is validated against the topic's contract first. */
export interface OutgoingRecord<T> {
  key: string;
  value: T;
  headers?: Record<string, string>;
  /** W3C trace context of the work that produced this record, when there is one. */
  traceparent?: string;
}

/**
 * Produces JSON records that satisfy a contract, with the contract headers
 * (`content-type`, `schema`, `traceparent`). Invalid values are refused before they
 * reach Kafka, so no consumer ever sees a record that breaks its topic's contract.
 */
export class ContractProducer {
  constructor(private readonly producer: Producer) {}

  async send<T>(
    topic: string,
    contract: Contract<T, never>,
    records: ReadonlyArray<OutgoingRecord<T>>,
  ): Promise<RecordMetadata[]> {
    const messages = records.map((record) => {
      const result = validate(contract, record.value);
      if (!result.ok) throw new ContractViolationError(contract.schemaId, result.issues);
      const headers: IHeaders = {
        ...record.headers,
        ...contractHeaders(contract, record.traceparent),
      };
      return { key: record.key, value: JSON.stringify(result.value), headers };
    });
    return this.producer.send({ topic, messages, acks: -1 });
  }
}
