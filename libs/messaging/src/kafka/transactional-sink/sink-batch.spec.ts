import type { KafkaMessage } from 'kafkajs';
import { splitIntoChunks } from './sink-batch';
import type { SinkTopic } from './sink-options';

function message(offset: number, value: string | null): KafkaMessage {
  return {
    offset: String(offset),
    key: Buffer.from('k'),
    value: value === null ? null : Buffer.from(value),
    timestamp: '1700000000000',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/** Values are numbers; "x" fails to decode, null is a tombstone. */
const numbers: SinkTopic = {
  topic: 'in',
  decode: (value) => {
    if (value === null) return { ok: true, value: null };
    const n = Number(value.toString());
    return Number.isNaN(n)
      ? { ok: false, issues: [{ path: '', message: 'not a number', code: 'custom' }] }
      : { ok: true, value: n };
  },
  write: () => Promise.resolve(),
};

describe('splitIntoChunks', () => {
  it('cuts chunks of at most maxRecords and ends each at the offset after its last message', () => {
    const messages = [1, 2, 3, 4, 5].map((n) => message(n + 9, String(n)));
    const chunks = splitIntoChunks(numbers, 0, messages, undefined, 2);
    expect(chunks.map((c) => c.records.map((r) => r.value))).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks.map((c) => c.nextOffset)).toEqual(['12', '14', '15']);
  });

  it('skips what the stored position says was applied already', () => {
    const messages = [1, 2, 3].map((n) => message(n, String(n)));
    const [chunk] = splitIntoChunks(numbers, 0, messages, '3', 10);
    expect(chunk?.records.map((r) => r.offset)).toEqual(['3']);
  });

  it('drops tombstones but counts their offsets; undecodable values become rejections', () => {
    const [chunk] = splitIntoChunks(
      numbers,
      4,
      [message(0, '7'), message(1, null), message(2, 'x')],
      undefined,
      10,
    );
    expect(chunk?.records.map((r) => [r.value, r.partition])).toEqual([[7, 4]]);
    expect(chunk?.rejected.map((r) => [r.message.offset, r.failure.retryable])).toEqual([
      ['2', false],
    ]);
    expect(chunk?.rejected[0]?.failure.message).toContain('not a number');
    expect(chunk?.nextOffset).toBe('3');
  });

  it('rejects a record whose decoder throws instead of failing the partition', () => {
    const throwing: SinkTopic = {
      ...numbers,
      decode: () => {
        throw new Error('boom');
      },
    };
    const [chunk] = splitIntoChunks(throwing, 0, [message(0, '1')], undefined, 10);
    expect(chunk?.rejected[0]?.failure).toMatchObject({ message: 'boom', retryable: false });
  });
});
