import { NonRetryableError, RetryableError } from '../../errors/processing-error';
import { sendUntilAcknowledged } from './send-until-acknowledged';

const BACKOFF = { initialMs: 1, maxMs: 5, multiplier: 2, jitter: 0 };

/** Fails each record with the errors queued for it, then acknowledges it with its attempt count. */
function scripted(script: Record<string, Error[]> = {}) {
  const sends: string[] = [];
  const send = async (record: string): Promise<number> => {
    sends.push(record);
    const error = script[record]?.shift();
    if (error) throw error;
    return sends.length;
  };
  return { sends, send };
}

describe('sendUntilAcknowledged', () => {
  it('sends the failed records again, and only those, until every one is acknowledged', async () => {
    const down = () => new RetryableError('KAFKA_SEND_FAILED', 'broker down');
    const { sends, send } = scripted({ b: [down(), down()] });
    const retries: number[] = [];
    const result = await sendUntilAcknowledged(send, ['a', 'b'], {
      backoff: BACKOFF,
      signal: new AbortController().signal,
      onRetry: (r) => retries.push(r.records),
    });
    expect(sends).toEqual(['a', 'b', 'b', 'b']);
    expect([...result.acknowledged.keys()].sort()).toEqual([0, 1]);
    expect(result).toMatchObject({ aborted: false, refused: [] });
    expect(retries).toEqual([1, 1]);
  });

  it('keeps retrying a record Kafka refuses for good unless allowed to hand it back', async () => {
    const refuse = () => new NonRetryableError('KAFKA_SEND_REJECTED', 'MESSAGE_TOO_LARGE');
    const { sends, send } = scripted({ a: [refuse()], b: [refuse()] });
    const result = await sendUntilAcknowledged(send, ['a', 'b'], {
      backoff: BACKOFF,
      signal: new AbortController().signal,
      canGiveBack: (index) => index === 0,
    });
    expect(result.refused.map((r) => [r.index, r.failure.code])).toEqual([
      [0, 'KAFKA_SEND_REJECTED'],
    ]);
    expect(sends).toEqual(['a', 'b', 'b']);
    expect([...result.acknowledged.keys()]).toEqual([1]);
  });

  it('ends with aborted when the signal aborts while Kafka is away', async () => {
    const abort = new AbortController();
    const sending = sendUntilAcknowledged(
      () => Promise.reject(new RetryableError('X', 'down')),
      ['a'],
      { backoff: { ...BACKOFF, initialMs: 60_000, maxMs: 60_000 }, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 10);
    await expect(sending).resolves.toMatchObject({ aborted: true });
  });

  it('stops waiting for a send that hangs once the signal aborts', async () => {
    const abort = new AbortController();
    const sending = sendUntilAcknowledged(() => new Promise<never>(() => undefined), ['a'], {
      backoff: BACKOFF,
      signal: abort.signal,
    });
    abort.abort();
    await expect(sending).resolves.toMatchObject({ aborted: true, acknowledged: new Map() });
  });
});
