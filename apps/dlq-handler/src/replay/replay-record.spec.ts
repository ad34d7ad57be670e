import { HEADERS } from '@streamline/contracts';
import { buildReplayRecord, isReplayableTopic, replayTargetOf } from './replay-record';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

describe('replay records', () => {
  const row = {
    id: '12',
    key: Buffer.from([0xff, 0x01]),
    value: Buffer.from([0xc3, 0x28]),
    replay_count: 1,
    headers: [
      ['schema', b64('iot.telemetry/1')],
      ['traceparent', b64('00-abc-def-01')],
      [HEADERS.RETRY_ATTEMPT, b64('3')],
      [HEADERS.RETRY_GROUP, b64('aggregator.v1')],
      [HEADERS.DLQ_ERROR_CLASS, b64('X')],
      [HEADERS.DLQ_REPLAY_COUNT, b64('1')],
      ['x-bin', b64(Buffer.from([0x00, 0xff]))],
    ] as Array<[string, string]>,
  };

  it('keeps key, value and original headers byte for byte and counts the replay', () => {
    const record = buildReplayRecord(row, 'a.v1', { replayId: 'r-1' });
    expect(record.topic).toBe('a.v1');
    expect(record.key).toEqual(Buffer.from([0xff, 0x01]));
    expect(record.value).toEqual(Buffer.from([0xc3, 0x28]));
    expect(record.headers?.['x-bin']).toEqual(Buffer.from([0x00, 0xff]));
    expect(record.headers?.['schema']?.toString()).toBe('iot.telemetry/1');
    expect(record.headers?.[HEADERS.DLQ_REPLAY_COUNT]?.toString()).toBe('2');
    expect(record.headers?.[HEADERS.DLQ_REPLAY_OF]?.toString()).toBe('12');
    expect(record.headers?.[HEADERS.DLQ_REPLAY_ID]?.toString()).toBe('r-1');
    // The failure headers would make the consumer count on from the old attempt, or skip it.
    expect(record.headers?.[HEADERS.RETRY_ATTEMPT]).toBeUndefined();
    expect(record.headers?.[HEADERS.RETRY_GROUP]).toBeUndefined();
    expect(record.headers?.[HEADERS.DLQ_ERROR_CLASS]).toBeUndefined();
  });

  it('sends a corrected value instead of the original', () => {
    const record = buildReplayRecord(row, 'a.v1', { correctedValue: Buffer.from('{}') });
    expect(record.value?.toString()).toBe('{}');
  });

  it('needs a target for mqtt origins and never replays into .retry/.dlq', () => {
    expect(replayTargetOf({ origin_topic: 'mqtt:sensors/a/telemetry' })).toBeUndefined();
    expect(replayTargetOf({ origin_topic: 'mqtt:sensors/a/telemetry' }, 'x.v1')).toBe('x.v1');
    expect(replayTargetOf({ origin_topic: 'a.v1' })).toBe('a.v1');
    expect(isReplayableTopic('a.v1.dlq')).toBe(false);
    expect(isReplayableTopic('a.v1.retry')).toBe(false);
    expect(isReplayableTopic('bad topic')).toBe(false);
  });
});
