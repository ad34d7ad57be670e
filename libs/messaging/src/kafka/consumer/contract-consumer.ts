import { EventEmitter } from 'node:events';
import type { Consumer, EachBatchPayload, KafkaMessage, Producer } from 'kafkajs';
import { ConsumerMetrics } from '../metrics/consumer-metrics';
import {
  createDeadLetterProducer,
  KafkaDeadLetterSink,
  type DeadLetterSink,
} from '../retry/dead-letter-publisher';
import {
  resolveConsumerSettings,
  type ConsumerSettings,
  type ContractConsumerOptions,
} from './consumer-options';
import { PartitionFlowControl, type PartitionRef, type PauseReason } from './flow-control';
import { GroupAssignment } from './group-assignment';
import { awaitBudget, ConcurrencyLimiter, InFlightBudget, recordBytes } from './in-flight-budget';
import { OffsetCommitter } from './offset-committer';
import { drainWorkers, PartitionWorker, type PartitionWorkerDeps } from './partition-worker';
import { resolveHandlers, type ResolvedHandler } from './handler-resolution';
import { RecordProcessor } from './record-processor';

/** What a ContractConsumer reports as it runs (tests and logs listen). */
export interface ContractConsumerEvents {
  'partition.paused': [PartitionRef & { reason: PauseReason }];
  'partition.resumed': [PartitionRef];
  /** A new generation: the partitions this consumer now owns, by topic. */
  'group.joined': [{ assignment: Record<string, number[]> }];
  'group.rebalancing': [];
}

/** How often a batch waiting for the in-flight budget keeps the group membership alive. */
const HEARTBEAT_WHILE_WAITING_MS = 1_000;

/**
 * Consumes Kafka topics with contract validation, per-partition ordering, bounded in-flight
 * work and at-least-once commits, routing failures to `<topic>.retry` / `<topic>.dlq`.
 *
 * kafkajs fetches; `eachBatch` only queues the records on their partition's worker and returns,
 * so one slow partition never holds up the fetching of the others. Workers drain their queues
 * concurrently (up to `partitionsConsumedConcurrently` handlers at once), each strictly in
 * offset order; offsets are committed only for completed records.
 */
export class ContractConsumer {
  readonly events = new EventEmitter<ContractConsumerEvents>();
  private readonly settings: ConsumerSettings;
  private readonly consumer: Consumer;
  private readonly producer: Producer | undefined;
  private readonly handlers: ReadonlyMap<string, ResolvedHandler>;
  private readonly metrics: ConsumerMetrics;
  private readonly budget: InFlightBudget;
  private readonly committer: OffsetCommitter;
  private readonly flow: PartitionFlowControl;
  private readonly workers = new Map<string, PartitionWorker>();
  private readonly workerDeps: PartitionWorkerDeps;
  private readonly group = new GroupAssignment();
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;

  constructor(options: ContractConsumerOptions) {
    this.settings = resolveConsumerSettings(options);
    this.handlers = resolveHandlers(options.handlers, options.defaultFailurePolicy);

    const s = this.settings;
    this.consumer = s.kafka.consumer({
      groupId: s.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      maxWaitTimeInMs: s.maxWaitTimeMs,
      maxBytesPerPartition: s.maxBytesPerPartition,
    });
    this.producer = options.deadLetterSink ? undefined : createDeadLetterProducer(s.kafka);
    const sink: DeadLetterSink =
      options.deadLetterSink ?? new KafkaDeadLetterSink(this.producer as Producer);
    this.metrics = new ConsumerMetrics(s.groupId);
    this.budget = new InFlightBudget(s.maxInFlightRecords, s.maxInFlightBytes);
    this.committer = new OffsetCommitter(this.consumer, s.logger, (topic, partition) =>
      this.group.owns(`${topic}|${partition}`),
    );
    this.flow = new PartitionFlowControl(this.consumer, {
      paused: (event) => this.events.emit('partition.paused', event),
      resumed: (event) => this.events.emit('partition.resumed', event),
    });
    const processor = new RecordProcessor(this.handlers, {
      groupId: s.groupId,
      service: s.service,
      sink,
      metrics: this.metrics,
      logger: s.logger,
    });
    this.workerDeps = {
      process: (worker, message) =>
        processor.process(worker.topic, worker.partition, message, worker.signal),
      limiter: new ConcurrencyLimiter(s.partitionsConsumedConcurrently),
      onDone: (worker, message) => this.onRecordDone(worker, message),
      onIdle: (worker, dropped, droppedBytes, error) =>
        this.onWorkerIdle(worker, dropped, droppedBytes, error),
    };
    const { GROUP_JOIN, REBALANCING, CRASH } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, (event) => this.onGroupJoin(event.payload.memberAssignment));
    this.consumer.on(REBALANCING, () => this.onRebalancing());
    this.consumer.on(CRASH, (event) =>
      s.logger.error({ group: s.groupId, err: event.payload.error }, 'kafka consumer crashed'),
    );
  }

  /** The underlying kafkajs consumer (for `unwrap()` and diagnostics). */
  get kafkaConsumer(): Consumer {
    return this.consumer;
  }

  /** Records fetched and not yet completed, over all partitions. */
  get inFlight(): number {
    return this.budget.inUse;
  }

  /** Their keys' and values' bytes. */
  get inFlightBytes(): number {
    return this.budget.bytesInUse;
  }

  /** Connects, joins the group and starts consuming; resolves once the first assignment is in. */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`cannot start a consumer that is ${this.state}`);
    const s = this.settings;
    await this.producer?.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.handlers.keys()],
      fromBeginning: s.fromBeginning,
    });
    this.committer.startInterval(s.commitIntervalMs);
    this.state = 'running';
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: s.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
    s.logger.info(
      { group: s.groupId, topics: [...this.handlers.keys()] },
      'kafka consumer started',
    );
  }

  /**
   * Stops without losing anything: no more fetching, queued records finish (up to
   * `drainTimeoutMs`, the rest stay uncommitted), completed offsets are committed, then the
   * consumer leaves the group.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.state !== 'running') {
      // Never started, or already stopped: just make sure no connection is left open.
      this.state = 'stopped';
      await this.consumer.disconnect();
      await this.producer?.disconnect();
      this.metrics.close();
      return;
    }
    this.state = 'stopping';
    const s = this.settings;
    this.consumer.pause([...this.handlers.keys()].map((topic) => ({ topic })));
    const workers = [...this.workers.values()];
    await drainWorkers(workers, s.drainTimeoutMs);
    this.committer.stopInterval();
    const committed = await this.committer.flush();
    await this.consumer.disconnect();
    await this.producer?.disconnect();
    for (const worker of workers) this.metrics.clearLag(worker.topic, worker.partition);
    this.metrics.close();
    this.state = 'stopped';
    s.logger.info({ group: s.groupId, committed }, 'kafka consumer stopped');
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!this.accepting(payload)) return;
    const worker = await this.workerFor(batch.topic, batch.partition);
    if (!worker || !this.accepting(payload)) return;
    worker.highWatermark = Number(batch.highWatermark);
    const first = batch.messages[0];
    if (first) worker.startAt(Number(first.offset));
    const limit = this.settings.maxInFlightPerPartition;
    if (worker.queued >= limit) {
      // This partition is behind: it stops fetching, the others go on.
      this.flow.pause(batch.topic, batch.partition, 'partition-queue');
      return;
    }
    if (!this.budget.hasRoom) {
      // Everything is behind: the partition waits, paused, until the handlers have drained half
      // the budget. Waiting here also holds kafkajs' fetch loop, which is the point.
      this.flow.pause(batch.topic, batch.partition, 'budget');
      const epoch = this.group.epoch;
      const drained = await awaitBudget(this.budget, {
        heartbeat: () => payload.heartbeat(),
        stillWanted: () => this.accepting(payload) && this.group.epoch === epoch,
        heartbeatEveryMs: HEARTBEAT_WHILE_WAITING_MS,
      });
      if (!drained) return;
      this.flow.resumeWhere(
        (ref) => ref.topic === batch.topic && ref.partition === batch.partition,
      );
    }
    // A batch is taken whole: no fetched record is thrown away and fetched again. In-flight
    // records thus stay under the limits plus one fetch (maxBytesPerPartition) per partition.
    const fresh = batch.messages.filter((m) => Number(m.offset) >= worker.nextOffset);
    const last = batch.messages[batch.messages.length - 1];
    // kafkajs fetches from the last resolved offset: this moves the fetch position on.
    if (last) payload.resolveOffset(last.offset);
    let bytes = 0;
    for (const message of fresh) bytes += recordBytes(message);
    this.budget.add(fresh.length, bytes);
    worker.enqueue(fresh);
    if (worker.queued >= limit) this.flow.pause(batch.topic, batch.partition, 'partition-queue');
    this.updateLag(worker);
  }

  private accepting(payload: EachBatchPayload): boolean {
    return this.state === 'running' && payload.isRunning() && !payload.isStale();
  }

  /** The current generation's worker of a partition; waits for an older one to finish its record. */
  private async workerFor(topic: string, partition: number): Promise<PartitionWorker | undefined> {
    const key = `${topic}|${partition}`;
    const existing = this.workers.get(key);
    if (existing && existing.epoch === this.group.epoch && !existing.stopped) return existing;
    // Same partition, new generation: the old worker must be done before the new one starts, or
    // two records of one partition would be handled at once.
    await existing?.idle();
    if (this.state !== 'running') return undefined;
    const current = this.workers.get(key);
    if (current && current !== existing) return current;
    const worker = new PartitionWorker(topic, partition, this.group.epoch, this.workerDeps);
    // Records this process already handled (owned without a break) are not handled twice.
    if (existing?.lastDone !== undefined && this.countsFor(existing)) {
      worker.startAt(existing.lastDone + 1);
    }
    this.workers.set(key, worker);
    return worker;
  }

  private onRecordDone(worker: PartitionWorker, message: KafkaMessage): void {
    this.budget.release(1, recordBytes(message));
    if (this.countsFor(worker)) {
      this.committer.markDone(worker.topic, worker.partition, message.offset, worker.key);
    }
    if (this.flow.pausedCount > 0) this.resumeDrained();
  }

  private onWorkerIdle(
    worker: PartitionWorker,
    dropped: number,
    droppedBytes: number,
    error: unknown,
  ): void {
    this.budget.release(dropped, droppedBytes);
    this.updateLag(worker);
    if (error !== undefined) {
      this.settings.logger.error(
        {
          group: this.settings.groupId,
          topic: worker.topic,
          partition: worker.partition,
          err: error,
        },
        'partition worker failed; its unfinished records are fetched again',
      );
      // The queued records were dropped: fetch again from the first one not completed.
      this.workers.delete(worker.key);
      if (worker.abandonedFrom !== undefined && this.state === 'running') {
        const offset = String(worker.abandonedFrom);
        this.consumer.seek({ topic: worker.topic, partition: worker.partition, offset });
      }
    }
    if (this.state === 'running' && !worker.stopped) void this.committer.flush();
    this.resumeDrained();
  }

  private resumeDrained(): void {
    if (this.state !== 'running' || !this.budget.canResume) return;
    const half = this.settings.maxInFlightPerPartition / 2;
    this.flow.resumeWhere(({ topic, partition }) => {
      const worker = this.workers.get(`${topic}|${partition}`);
      return !worker || worker.queued <= half;
    });
  }

  /** A rebalance began: stop after the records in hand and commit what is complete while we can. */
  private onRebalancing(): void {
    this.events.emit('group.rebalancing');
    const workers = [...this.workers.values()];
    for (const worker of workers) void worker.abort();
    void Promise.all(workers.map((w) => w.idle())).then(() => this.committer.flush());
  }

  private onGroupJoin(assignment: Record<string, number[]>): void {
    for (const lost of this.group.join(assignment)) {
      this.committer.forget(lost.topic, lost.partition);
      this.metrics.clearLag(lost.topic, lost.partition);
    }
    // Work of an older generation (when no REBALANCING event announced this one) stops too.
    for (const worker of this.workers.values()) {
      if (worker.epoch < this.group.epoch) void worker.abort();
    }
    if (this.state === 'running') this.flow.resumeAll();
    this.events.emit('group.joined', { assignment });
  }

  /** Whether a worker's completions may still be committed (its partition was never lost since). */
  private countsFor(worker: PartitionWorker): boolean {
    return this.group.ownedThroughout(worker.key, worker.epoch);
  }

  private updateLag(worker: PartitionWorker): void {
    this.metrics.setLag(worker.topic, worker.partition, worker.highWatermark - worker.position);
  }
}
