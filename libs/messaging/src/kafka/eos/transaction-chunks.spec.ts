import type { KafkaMessage } from 'kafkajs';
import { resolveEosOptions } from './eos-options';
import { chunkBatch, transactionalIdFor } from './transaction-chunks';
import type { Kafka } from 'kafkajs';

const messages = (offsets: number[]): KafkaMessage[] =>
  offsets.map((offset) => ({
    key: null,
    value: Buffer.from(String(offset)),
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
    headers: {},
  }));

describe('chunkBatch', () => {
  it('splits a batch into transactions of at most max records, each committing the offset after its last', () => {
    const chunks = chunkBatch(messages([10, 11, 12, 13, 14]), '14', 2);
    expect(
      chunks.map((c) => [c.firstOffset, c.lastOffset, c.nextOffset, c.records.length]),
    ).toEqual([
      ['10', '11', '12', 2],
      ['12', '13', '14', 2],
      ['14', '14', '15', 1],
    ]);
  });

  it('lets the last transaction commit past a trailing transaction marker kafkajs filtered out', () => {
    const chunks = chunkBatch(messages([3, 4]), '5', 10);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ firstOffset: '3', lastOffset: '4', nextOffset: '6' });
  });

  it('keeps offsets exact beyond 2^53', () => {
    const big = '9007199254740993';
    const [chunk] = chunkBatch([{ ...messages([0])[0]!, offset: big }], big, 1);
    expect(chunk?.nextOffset).toBe('9007199254740994');
  });

  it('refuses a chunk size below one', () => {
    expect(() => chunkBatch(messages([1]), '1', 0)).toThrow(RangeError);
  });
});

describe('transactionalIdFor', () => {
  it('names one producer per input partition: prefix, topic, partition', () => {
    expect(transactionalIdFor('aggregator', 'iot.telemetry.v1', 4)).toBe(
      'aggregator-iot.telemetry.v1-4',
    );
    expect(transactionalIdFor('aggregator', 'iot.telemetry.v1', 5)).not.toBe(
      transactionalIdFor('aggregator', 'iot.telemetry.v1', 4),
    );
    expect(() => transactionalIdFor(' ', 't', 0)).toThrow(RangeError);
  });
});

describe('resolveEosOptions', () => {
  const base = {
    kafka: {} as Kafka,
    groupId: 'g',
    inputTopics: ['t'],
    transactionalIdPrefix: 'p',
    transform: async () => [],
  };

  it('fills in the defaults, keeping them for options given as undefined', () => {
    expect(resolveEosOptions({ ...base, maxRecordsPerTransaction: undefined })).toMatchObject({
      maxRecordsPerTransaction: 500,
      fromBeginning: true,
      sessionTimeoutMs: 30_000,
    });
  });

  it('refuses nonsense numbers and an empty topic list', () => {
    expect(() => resolveEosOptions({ ...base, maxRecordsPerTransaction: 0 })).toThrow(
      /maxRecordsPerTransaction/,
    );
    expect(() => resolveEosOptions({ ...base, inputTopics: [] })).toThrow(/inputTopics/);
  });
});
