import type { KafkaMessage } from 'kafkajs';
import { ConcurrencyLimiter } from './in-flight-budget';
import { PartitionWorker, type PartitionWorkerDeps } from './partition-worker';

/** Records of `from`.., each with a 10-byte value and a 2-byte key (12 bytes in the budget). */
function messages(from: number, count: number): KafkaMessage[] {
  return Array.from(
    { length: count },
    (_, i) =>
      ({ offset: String(from + i), key: Buffer.alloc(2), value: Buffer.alloc(10) }) as KafkaMessage,
  );
}

function deps(process: PartitionWorkerDeps['process'], limit = 1) {
  const done: string[] = [];
  const idle: Array<{ dropped: number; droppedBytes: number; error?: unknown }> = [];
  const d: PartitionWorkerDeps = {
    process,
    limiter: new ConcurrencyLimiter(limit),
    onDone: (_w, message) => done.push(message.offset),
    onIdle: (_w, dropped, droppedBytes, error) => idle.push({ dropped, droppedBytes, error }),
  };
  return { d, done, idle };
}

describe('PartitionWorker', () => {
  it('handles records one at a time in offset order and reports each completion', async () => {
    let active = 0;
    let maxActive = 0;
    const { d, done, idle } = deps(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 1));
      active--;
      return true;
    }, 4);
    const worker = new PartitionWorker('t', 0, 1, d);
    worker.enqueue(messages(10, 3));
    worker.enqueue(messages(13, 2));
    await worker.idle();
    expect(done).toEqual(['10', '11', '12', '13', '14']);
    expect(maxActive).toBe(1);
    expect(worker.lastDone).toBe(14);
    expect(worker.nextOffset).toBe(15);
    expect(idle.at(-1)).toEqual({ dropped: 0, droppedBytes: 0, error: undefined });
  });

  it('drains again after a queue that was handled entirely synchronously', async () => {
    const { d, done } = deps(() => true);
    const worker = new PartitionWorker('t', 0, 1, d);
    worker.enqueue(messages(0, 2));
    expect(done).toEqual(['0', '1']);
    worker.enqueue(messages(2, 2));
    await worker.idle();
    expect(done).toEqual(['0', '1', '2', '3']);
  });

  it('on abort finishes the record in hand, drops the rest and says where it stopped', async () => {
    let release: () => void = () => undefined;
    const { d, done, idle } = deps(
      () => new Promise<boolean>((resolve) => (release = () => resolve(true))),
    );
    const worker = new PartitionWorker('t', 0, 1, d);
    worker.enqueue(messages(0, 5));
    const aborted = worker.abort();
    release();
    await aborted;
    expect(done).toEqual(['0']);
    // What it gives back is released from the consumer's budget: count and bytes.
    expect(idle.at(-1)).toMatchObject({ dropped: 4, droppedBytes: 4 * 12 });
    expect(worker.abandonedFrom).toBe(1);
    worker.enqueue(messages(5, 1));
    expect(worker.queued).toBe(0);
  });

  it('stops without completing a record that processing could not finish', async () => {
    const { d, done, idle } = deps(async (_w, message) => message.offset !== '1');
    const worker = new PartitionWorker('t', 0, 1, d);
    worker.enqueue(messages(0, 3));
    await worker.idle();
    expect(done).toEqual(['0']);
    expect(worker.queued).toBe(2);
    expect(idle.at(-1)?.dropped).toBe(0);
  });

  it('stops and reports the error when processing throws', async () => {
    const { d, idle } = deps(async () => {
      throw new Error('bug');
    });
    const worker = new PartitionWorker('t', 0, 1, d);
    worker.enqueue(messages(3, 2));
    await worker.idle();
    expect(worker.stopped).toBe(true);
    expect(worker.abandonedFrom).toBe(3);
    expect(idle.at(-1)).toMatchObject({ dropped: 2, droppedBytes: 24, error: new Error('bug') });
  });
});
