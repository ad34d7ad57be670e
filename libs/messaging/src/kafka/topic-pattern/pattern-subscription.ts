import { EventEmitter } from 'node:events';
import type { Admin, Kafka } from 'kafkajs';
import type { MessagingLogger } from '../../logging/messaging-logger';

/** What a PatternSubscription runs over the matching topics: a consumer it can stop. */
export interface PatternRunner {
  stop(): Promise<void>;
}

export interface PatternSubscriptionOptions {
  /**
   * Where the topic list comes from: a kafkajs client (an admin of its own, closed by `stop()`),
   * or a function (tests).
   */
  topicsFrom: Kafka | (() => Promise<string[]>);
  pattern: RegExp;
  /** How often the topic list is checked. Default 30 s. */
  refreshIntervalMs?: number;
  logger: MessagingLogger;
  /** Starts consuming exactly `topics` (never empty); resolves once it runs. */
  start(topics: readonly string[]): Promise<PatternRunner>;
}

export interface PatternSubscriptionEvents {
  'topics.changed': [{ topics: string[]; added: string[]; removed: string[] }];
}

export const DEFAULT_PATTERN_REFRESH_MS = 30_000;

/**
 * A subscription by topic pattern that also serves topics created later. kafkajs resolves a
 * RegExp subscription once, against the topics that exist when it subscribes, and a consumer
 * cannot subscribe again while it runs. So this checks the topic list periodically and, when
 * the matching set changes, stops the runner and starts a new one over the new set; committed
 * offsets carry the position across (the runner's group stays the same).
 */
export class PatternSubscription {
  readonly events = new EventEmitter<PatternSubscriptionEvents>();
  private current: string[] = [];
  private runner: PatternRunner | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly admin: Admin | undefined;
  private readonly listTopics: () => Promise<string[]>;

  constructor(private readonly options: PatternSubscriptionOptions) {
    const source = options.topicsFrom;
    if (typeof source === 'function') {
      this.listTopics = source;
    } else {
      const admin = source.admin();
      this.admin = admin;
      this.listTopics = async () => {
        await admin.connect();
        return admin.listTopics();
      };
    }
  }

  /** The topics the running consumer serves. */
  get topics(): readonly string[] {
    return this.current;
  }

  /** First check and start, then periodic checks. Never rejects: a failure is logged and retried. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
    const every = this.options.refreshIntervalMs ?? DEFAULT_PATTERN_REFRESH_MS;
    this.timer = setInterval(() => void this.refresh(), every);
    this.timer.unref();
  }

  /** Checks the topic list now; true when the runner was (re)started. Checks never overlap. */
  refresh(): Promise<boolean> {
    const next = this.chain.then(() => this.check());
    this.chain = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.chain;
    await this.stopRunner();
    await this.admin?.disconnect();
  }

  private async check(): Promise<boolean> {
    if (this.stopped) return false;
    let topics: string[];
    try {
      topics = (await this.listTopics()).filter((t) => this.options.pattern.test(t));
    } catch (error) {
      this.options.logger.warn({ err: error }, 'listing topics failed; checking again later');
      return false;
    }
    topics.sort();
    const running = this.runner !== undefined;
    if (running && sameList(topics, this.current)) return false;
    if (!running && topics.length === 0) return false;
    const added = topics.filter((t) => !this.current.includes(t));
    const removed = this.current.filter((t) => !topics.includes(t));
    await this.stopRunner();
    this.current = [];
    if (topics.length === 0) return false;
    try {
      this.runner = await this.options.start(topics);
      this.current = topics;
    } catch (error) {
      // Left without a runner: the next check starts one.
      this.options.logger.error(
        { err: error, topics },
        'starting the consumer failed; retrying at the next check',
      );
      return false;
    }
    this.options.logger.info(
      { pattern: this.options.pattern.source, topics: topics.length, added, removed },
      'topic subscription (re)started',
    );
    this.events.emit('topics.changed', { topics, added, removed });
    return true;
  }

  private async stopRunner(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    if (!runner) return;
    try {
      await runner.stop();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'stopping the consumer failed');
    }
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** A RegExp matching every topic that ends in `suffix` and starts with `prefix` (both literal). */
export function suffixPattern(suffix: string, prefix = ''): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escape(prefix)}.+${escape(suffix)}$`);
}
