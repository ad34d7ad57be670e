import type {
  ConsumerConfig,
  ConsumerRunConfig,
  EachBatchPayload,
  Kafka,
  KafkaMessage,
  ProducerConfig,
} from 'kafkajs';
import { ExactlyOnceProcessor } from './exactly-once-processor';
import type { ExactlyOnceProcessorOptions } from './eos-options';

/** Records what the processor asks of kafkajs, in order. */
class FakeKafka {
  readonly log: string[] = [];
  readonly producerConfigs: ProducerConfig[] = [];
  consumerConfig: ConsumerConfig | undefined;
  runConfig: ConsumerRunConfig | undefined;
  committed = new Map<number, string>();
  failCommit = false;
  private joinListener:
    ((event: { payload: { memberAssignment: Record<string, number[]> } }) => void) | undefined;

  producer(config: ProducerConfig) {
    this.producerConfigs.push(config);
    const id = config.transactionalId;
    const log = this.log;
    return {
      connect: async () => undefined,
      disconnect: async () => void log.push(`disconnect ${id}`),
      transaction: async () => {
        let active = true;
        return {
          sendBatch: async ({
            topicMessages,
          }: {
            topicMessages: Array<{ topic: string; messages: unknown[] }>;
          }) => void log.push(...topicMessages.map((t) => `send ${t.topic} ${t.messages.length}`)),
          sendOffsets: async ({
            topics,
          }: {
            topics: Array<{ partitions: Array<{ offset: string }> }>;
          }) => void log.push(`offsets ${topics[0]?.partitions[0]?.offset}`),
          commit: async () => {
            if (this.failCommit) throw new Error('commit failed');
            active = false;
            log.push('commit');
          },
          abort: async () => {
            active = false;
            log.push('abort');
          },
          isActive: () => active,
        };
      },
    };
  }

  consumer(config: ConsumerConfig) {
    this.consumerConfig = config;
    return {
      events: { GROUP_JOIN: 'consumer.group_join' },
      on: (_event: string, listener: FakeKafka['joinListener']) => (this.joinListener = listener),
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async (config: ConsumerRunConfig) => void (this.runConfig = config),
      seek: ({ offset }: { offset: string }) => void this.log.push(`seek ${offset}`),
      disconnect: async () => undefined,
    };
  }

  admin() {
    return {
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchOffsets: async () => [
        {
          topic: 'in',
          partitions: [...this.committed].map(([partition, offset]) => ({ partition, offset })),
        },
      ],
    };
  }

  join(assignment: Record<string, number[]>): void {
    this.joinListener?.({ payload: { memberAssignment: assignment } });
  }

  asKafka(): Kafka {
    return this as unknown as Kafka;
  }
}

function payload(partition: number, offsets: number[], lastOffset = offsets[offsets.length - 1]) {
  const messages: KafkaMessage[] = offsets.map((offset) => ({
    key: Buffer.from(`k${offset}`),
    value: Buffer.from(String(offset)),
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
    headers: {},
  }));
  const resume = jest.fn();
  const p = {
    batch: {
      topic: 'in',
      partition,
      highWatermark: '100',
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => String(lastOffset),
      offsetLag: () => '0',
      offsetLagLow: () => '0',
    },
    resolveOffset: jest.fn(),
    heartbeat: jest.fn(async () => undefined),
    pause: jest.fn(() => resume),
    commitOffsetsIfNecessary: jest.fn(),
    uncommittedOffsets: jest.fn(),
    isRunning: () => true,
    isStale: () => false,
  };
  return {
    payload: p as unknown as EachBatchPayload,
    resume,
    resolveOffset: p.resolveOffset,
    pause: p.pause,
  };
}

async function started(fake: FakeKafka, overrides: Partial<ExactlyOnceProcessorOptions> = {}) {
  const processor = new ExactlyOnceProcessor({
    kafka: fake.asKafka(),
    groupId: 'group',
    inputTopics: ['in'],
    transactionalIdPrefix: 'svc',
    maxRecordsPerTransaction: 2,
    transform: async (records) =>
      records.map((r) => ({ topic: 'out', key: r.key, value: r.value })),
    ...overrides,
  });
  await processor.start();
  const eachBatch = fake.runConfig?.eachBatch;
  if (eachBatch === undefined) throw new Error('processor did not run an eachBatch consumer');
  return { processor, eachBatch };
}

describe('ExactlyOnceProcessor', () => {
  it('reads read_committed without auto-commit, and fences one transactional producer per input partition', async () => {
    const fake = new FakeKafka();
    const { eachBatch } = await started(fake);
    await eachBatch(payload(3, [0]).payload);
    expect(fake.consumerConfig).toMatchObject({ groupId: 'group', readUncommitted: false });
    expect(fake.runConfig).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false });
    expect(fake.producerConfigs[0]).toMatchObject({
      transactionalId: 'svc-in-3',
      idempotent: true,
      maxInFlightRequests: 1,
    });
  });

  it('commits each chunk’s outputs with the offset past it, the last one past the trailing marker', async () => {
    const fake = new FakeKafka();
    const { eachBatch } = await started(fake);
    const { payload: p, resolveOffset } = payload(0, [0, 1, 2], 3);
    await eachBatch(p);
    // The first "abort" ends the empty transaction that forces InitProducerId (kafkajs sends nothing for it).
    expect(fake.log).toEqual([
      'abort',
      'send out 2',
      'offsets 2',
      'commit',
      'send out 1',
      'offsets 4',
      'commit',
    ]);
    expect(resolveOffset.mock.calls).toEqual([['1'], ['2']]);
  });

  it('skips records that a predecessor committed after this member read its start offset', async () => {
    const fake = new FakeKafka();
    fake.committed.set(0, '2');
    const { eachBatch } = await started(fake);
    await eachBatch(payload(0, [0, 1, 2, 3]).payload);
    expect(fake.log).toEqual(['abort', 'seek 2']);
  });

  it('on a failure drops the producer, reads again from the first uncommitted offset, and pauses before the retry', async () => {
    jest.useFakeTimers();
    try {
      const fake = new FakeKafka();
      let calls = 0;
      const { eachBatch } = await started(fake, {
        failureBackoffMs: 1_000,
        transform: async (records) => {
          if (++calls === 2) throw new Error('transform failed');
          return records.map((r) => ({ topic: 'out', key: r.key, value: r.value }));
        },
      });
      const { payload: p, pause, resume } = payload(0, [0, 1, 2, 3]);
      await eachBatch(p);
      expect(fake.log).toEqual([
        'abort',
        'send out 2',
        'offsets 2',
        'commit',
        'disconnect svc-in-0',
        'seek 2',
      ]);
      expect(pause).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(999);
      expect(resume).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(resume).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('aborts the transaction when the commit fails', async () => {
    const fake = new FakeKafka();
    const { processor, eachBatch } = await started(fake, { failureBackoffMs: 1 });
    fake.failCommit = true;
    await eachBatch(payload(0, [5]).payload);
    expect(fake.log).toEqual([
      'abort',
      'send out 1',
      'offsets 6',
      'abort',
      'disconnect svc-in-0',
      'seek 5',
    ]);
    await processor.stop();
  });

  it('drops the producers of partitions the group took away', async () => {
    const fake = new FakeKafka();
    const { eachBatch } = await started(fake);
    await eachBatch(payload(0, [0]).payload);
    await eachBatch(payload(1, [0]).payload);
    fake.log.length = 0;
    fake.join({ in: [1] });
    await Promise.resolve();
    expect(fake.log).toEqual(['disconnect svc-in-0']);
  });

  it('rebuilds a partition’s state once per producer, before its first transform, and again after a failure', async () => {
    const fake = new FakeKafka();
    const calls: string[] = [];
    let fail = true;
    const { eachBatch, processor } = await started(fake, {
      failureBackoffMs: 1,
      onPartitionReady: async ({ partition }) => void calls.push(`ready ${partition}`),
      transform: async (records) => {
        calls.push(`transform ${records.length}`);
        if (fail) {
          fail = false;
          throw new Error('transform failed');
        }
        return [];
      },
    });
    await eachBatch(payload(0, [0]).payload);
    await eachBatch(payload(0, [0]).payload);
    await eachBatch(payload(0, [1]).payload);
    expect(calls).toEqual(['ready 0', 'transform 1', 'ready 0', 'transform 1', 'transform 1']);
    await processor.stop();
  });

  it('punctuates owned partitions in a transaction of their own producer, without offsets', async () => {
    jest.useFakeTimers();
    try {
      const fake = new FakeKafka();
      const { processor } = await started(fake, {
        punctuateIntervalMs: 100,
        punctuate: async ({ partition }) =>
          partition === 1 ? [{ topic: 'out', key: 'k', value: 'closed' }] : [],
      });
      fake.join({ in: [0, 1] });
      await jest.advanceTimersByTimeAsync(100);
      expect(fake.log).toEqual(['abort', 'abort', 'send out 1', 'commit']);
      expect(fake.producerConfigs.map((c) => c.transactionalId)).toEqual(['svc-in-0', 'svc-in-1']);
      await processor.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
