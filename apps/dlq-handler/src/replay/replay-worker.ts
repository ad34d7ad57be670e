import { Injectable, type OnModuleInit } from '@nestjs/common';
import { JetStreamConsumersService } from '@streamline/nest-messaging';
import { InjectConfig } from '@streamline/platform';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';
import { BulkReplayRunner } from './bulk-replay.runner';
import { replayCommandContract } from './replay-command';

/** A bulk replay may run for hours: its lease is renewed (every ack_wait/2) for this long. */
const MAX_REPLAY_MS = 24 * 60 * 60 * 1000;

/** Takes replay commands from the DLQ_REPLAY work queue and runs them. */
@Injectable()
export class ReplayWorker implements OnModuleInit {
  constructor(
    private readonly consumers: JetStreamConsumersService,
    private readonly runner: BulkReplayRunner,
    @InjectConfig() private readonly config: DlqHandlerConfig,
  ) {}

  onModuleInit(): void {
    this.consumers.register(
      {
        stream: this.config.DLQ_REPLAY_STREAM,
        consumer: this.config.DLQ_REPLAY_CONSUMER,
        contract: replayCommandContract,
        concurrency: this.config.DLQ_REPLAY_CONCURRENCY,
        maxProcessingMs: MAX_REPLAY_MS,
        retry: { baseDelayMs: 1_000, maxDelayMs: 30_000 },
      },
      (message) => this.runner.run(message.value.replayId),
    );
  }
}
