import { BaseRpcContext } from '@nestjs/microservices';
import type { RecordContext } from '@streamline/messaging';

/** What a `@KafkaHandler` method gets with `@Ctx()`: where the record came from and which attempt this is. */
export class KafkaRecordContext extends BaseRpcContext<[RecordContext]> {
  /** The whole record context, as the pure consumer hands it over. */
  getRecord(): RecordContext {
    return this.args[0];
  }

  getTopic(): string {
    return this.args[0].topic;
  }

  getPartition(): number {
    return this.args[0].partition;
  }

  getOffset(): string {
    return this.args[0].offset;
  }

  getKey(): string | null {
    return this.args[0].key;
  }

  getHeaders(): Record<string, string> {
    return this.args[0].headers;
  }

  /** Epoch ms of the record, as a string. */
  getTimestamp(): string {
    return this.args[0].timestamp;
  }

  /** 1 on first delivery, n when the record came back from `<topic>.retry` for the n-th time. */
  getAttempt(): number {
    return this.args[0].attempt;
  }

  /** Aborted when the partition is revoked or shutdown stops waiting: long work should stop. */
  getSignal(): AbortSignal {
    return this.args[0].signal;
  }
}
