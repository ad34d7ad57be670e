import 'reflect-metadata';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import {
  PATTERN_EXTRAS_METADATA,
  PATTERN_HANDLER_METADATA,
  PATTERN_METADATA,
  TRANSPORT_METADATA,
} from '@nestjs/microservices/constants';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum';
import { telemetryContract } from '@streamline/contracts';
import { NonRetryableError, type RecordContext } from '@streamline/messaging';
import { lastValueFrom } from 'rxjs';
import { KafkaErrorPassthroughFilter } from './kafka-error-passthrough.filter';
import {
  KAFKA_CONSUMER_TRANSPORT,
  KAFKA_HANDLER_EXTRAS,
  KafkaHandler,
} from './kafka-handler.decorator';
import { KafkaRecordContext } from './kafka-record.context';

class Handlers {
  @KafkaHandler('iot.telemetry.v1', {
    contract: telemetryContract,
    failurePolicy: { maxAttempts: 2 },
  })
  onTelemetry(): void {
    return undefined;
  }
}

describe('@KafkaHandler', () => {
  const method = Object.getOwnPropertyDescriptor(Handlers.prototype, 'onTelemetry')
    ?.value as object;

  it('declares an event pattern on the topic, bound to the Kafka consumer transport only', () => {
    expect(Reflect.getMetadata(PATTERN_METADATA, method)).toEqual(['iot.telemetry.v1']);
    expect(Reflect.getMetadata(PATTERN_HANDLER_METADATA, method)).toBe(PatternHandler.EVENT);
    expect(Reflect.getMetadata(TRANSPORT_METADATA, method)).toBe(KAFKA_CONSUMER_TRANSPORT);
  });

  it('carries the contract and failure policy in the pattern extras', () => {
    expect(Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method)).toEqual({
      [KAFKA_HANDLER_EXTRAS]: { contract: telemetryContract, failurePolicy: { maxAttempts: 2 } },
    });
  });

  it('binds the filter that hands errors through unchanged', async () => {
    const filters = Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, method) as unknown[];
    expect(filters).toHaveLength(1);
    expect(filters[0]).toBeInstanceOf(KafkaErrorPassthroughFilter);
    const error = new NonRetryableError('BAD', 'bad input');
    await expect(lastValueFrom(new KafkaErrorPassthroughFilter().catch(error))).rejects.toBe(error);
  });
});

describe('KafkaRecordContext', () => {
  it('exposes the record context', () => {
    const signal = new AbortController().signal;
    const record: RecordContext = {
      topic: 't',
      partition: 2,
      offset: '9',
      key: 'k',
      headers: { schema: 'iot.telemetry/1' },
      timestamp: '1700000000000',
      attempt: 3,
      signal,
    };
    const context = new KafkaRecordContext([record]);
    expect(context.getRecord()).toBe(record);
    expect([
      context.getTopic(),
      context.getPartition(),
      context.getOffset(),
      context.getKey(),
    ]).toEqual(['t', 2, '9', 'k']);
    expect(context.getHeaders()).toEqual({ schema: 'iot.telemetry/1' });
    expect(context.getTimestamp()).toBe('1700000000000');
    expect(context.getAttempt()).toBe(3);
    expect(context.getSignal()).toBe(signal);
  });
});
