import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  classifyError,
  provisionJetStream,
  type JetStreamProvisioning,
  type NatsConnectionHandle,
  type ProvisionReport,
} from '@streamline/messaging';
import { nestMessagingLogger } from '../logging/nest-messaging-logger';
import { NATS_CONNECTION, NATS_MODULE_OPTIONS, type NatsModuleOptions } from './nats.tokens';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * Creates or updates the service's streams, consumers and KV buckets once NATS is reachable.
 * It runs in the background, so a service starts while NATS is down; readiness and the
 * JetStream consumers wait for `ready()`. A retryable failure is retried with backoff; a
 * settings conflict the server cannot resolve is reported (readiness names it) and not retried.
 */
@Injectable()
export class JetStreamProvisioningService implements OnModuleInit {
  private readonly logger = nestMessagingLogger('jetstream');
  private report: ProvisionReport | undefined;
  private failure: string | undefined;
  private stopped = false;
  private readonly done: Promise<void>;
  private resolveDone: () => void = () => undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly handle: NatsConnectionHandle,
    @Inject(NATS_MODULE_OPTIONS) private readonly options: NatsModuleOptions,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  onModuleInit(): void {
    void this.provision(this.options.jetstream ?? {});
  }

  /** Resolves once everything declared exists with its settings. */
  ready(): Promise<void> {
    return this.done;
  }

  /** Throws the reason while provisioning has not finished (for the readiness check). */
  assertReady(): void {
    if (this.report) return;
    throw new Error(this.failure ?? 'JetStream provisioning has not finished');
  }

  /** Ends the retry loop (application shutdown). */
  stop(): void {
    this.stopped = true;
  }

  private async provision(wanted: JetStreamProvisioning): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const nc = await this.handle.get();
        this.report = await provisionJetStream(nc, wanted);
        this.failure = undefined;
        this.logger.info({ report: this.report }, 'JetStream provisioned');
        this.resolveDone();
        return;
      } catch (error) {
        const failure = classifyError(error);
        this.failure = `JetStream provisioning failed: ${failure.message}`;
        if (!failure.retryable) {
          this.logger.error({ err: error }, 'JetStream settings conflict; not retrying');
          return;
        }
        const delayMs = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempt, 10));
        this.logger.warn({ err: error, delayMs }, 'JetStream provisioning failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      }
    }
  }
}
