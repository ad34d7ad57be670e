import { HEADERS } from '@streamline/contracts';
import type { KafkaMessage } from 'kafkajs';
import { toNewDeadLetter } from './dead-letter-record';

function message(headers: KafkaMessage['headers'], value: Buffer | null): KafkaMessage {
  return {
    key: Buffer.from('k'),
    value,
    headers,
    offset: '7',
    timestamp: '1700000000123',
    attributes: 0,
    size: 0,
  } as KafkaMessage;
}

describe('toNewDeadLetter', () => {
  it('reads every dlq header and keeps the bytes and headers exactly', () => {
    const bytes = Buffer.from([0xc3, 0x28, 0x00, 0xff]);
    const letter = toNewDeadLetter(
      'a.v1.dlq',
      0,
      message(
        {
          [HEADERS.DLQ_ORIGIN_TOPIC]: Buffer.from('a.v1'),
          [HEADERS.DLQ_ORIGIN_PARTITION]: Buffer.from('3'),
          [HEADERS.DLQ_ORIGIN_OFFSET]: Buffer.from('99'),
          [HEADERS.DLQ_ORIGIN_TIMESTAMP]: Buffer.from('1700000000000'),
          [HEADERS.DLQ_SERVICE]: Buffer.from('aggregator'),
          [HEADERS.DLQ_ERROR_CLASS]: Buffer.from('ContractViolationError'),
          [HEADERS.DLQ_ERROR_MESSAGE]: Buffer.from('ts: required'),
          [HEADERS.DLQ_ATTEMPTS]: Buffer.from('1'),
          [HEADERS.DLQ_REPLAY_COUNT]: Buffer.from('2'),
          [HEADERS.DLQ_REPLAY_OF]: Buffer.from('41'),
          'x-binary': [Buffer.from([0xff]), Buffer.from('b')],
        },
        bytes,
      ),
    );
    expect(letter).toMatchObject({
      dlqTopic: 'a.v1.dlq',
      dlqOffset: '7',
      originTopic: 'a.v1',
      originPartition: 3,
      originOffset: '99',
      originTimestampMs: 1_700_000_000_000,
      service: 'aggregator',
      errorClass: 'ContractViolationError',
      errorMessage: 'ts: required',
      attempts: 1,
      failedAtMs: 1_700_000_000_123,
      replayCount: 2,
      replayOf: '41',
    });
    expect(letter.value).toEqual(bytes);
    expect(letter.headers).toContainEqual(['x-binary', '/w==']);
    expect(letter.headers).toContainEqual(['x-binary', Buffer.from('b').toString('base64')]);
  });

  it('stores a record without dlq headers under its topic, with nulls', () => {
    const letter = toNewDeadLetter('b.v1.dlq', 0, message(undefined, null));
    expect(letter).toMatchObject({
      originTopic: 'b.v1',
      originPartition: null,
      service: null,
      value: null,
      replayCount: 0,
      replayOf: null,
      headers: [],
    });
  });
});
