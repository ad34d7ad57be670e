import type { TopicPartitionOffsetAndMetadata } from 'kafkajs';
import { silentLogger } from '../../logging/messaging-logger';
import { OffsetCommitter, type CommitTarget } from './offset-committer';

class FakeTarget implements CommitTarget {
  readonly commits: TopicPartitionOffsetAndMetadata[][] = [];
  fail = false;
  gate: Promise<void> = Promise.resolve();

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    await this.gate;
    if (this.fail) throw new Error('rebalance in progress');
    this.commits.push(offsets);
  }
}

describe('OffsetCommitter', () => {
  it('commits the offset after the last completed record, once', async () => {
    const target = new FakeTarget();
    const committer = new OffsetCommitter(target, silentLogger, () => true);
    committer.markDone('t', 0, '4');
    committer.markDone('t', 0, '5');
    committer.markDone('t', 1, '0');
    await committer.flush();
    await committer.flush();
    expect(target.commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '6' },
        { topic: 't', partition: 1, offset: '1' },
      ],
    ]);
  });

  it('never commits a partition the consumer does not own, nor a forgotten one', async () => {
    const target = new FakeTarget();
    const committer = new OffsetCommitter(target, silentLogger, (_t, partition) => partition !== 1);
    committer.markDone('t', 1, '9');
    committer.markDone('t', 2, '9');
    committer.forget('t', 2);
    await committer.flush();
    expect(target.commits).toEqual([]);
  });

  it('keeps offsets whose commit failed and commits them next time', async () => {
    const target = new FakeTarget();
    const committer = new OffsetCommitter(target, silentLogger, () => true);
    committer.markDone('t', 0, '1');
    target.fail = true;
    await expect(committer.flush()).resolves.toBe(false);
    target.fail = false;
    await expect(committer.flush()).resolves.toBe(true);
    expect(target.commits).toEqual([[{ topic: 't', partition: 0, offset: '2' }]]);
  });

  it('folds requests made during a commit into one more commit after it', async () => {
    const target = new FakeTarget();
    const committer = new OffsetCommitter(target, silentLogger, () => true);
    let open: () => void = () => undefined;
    target.gate = new Promise((resolve) => (open = resolve));
    committer.markDone('t', 0, '1');
    const first = committer.flush();
    committer.markDone('t', 0, '2');
    const second = committer.flush();
    committer.markDone('t', 0, '3');
    const third = committer.flush();
    open();
    await Promise.all([first, second, third]);
    expect(target.commits.map((c) => c[0]?.offset)).toEqual(['2', '4']);
  });
});
