import { Inject, Injectable, Logger } from '@nestjs/common';
import { dlqReceivedSubject } from '@streamline/contracts';
import type { NatsConnectionHandle } from '@streamline/messaging';
import { NATS_CONNECTION } from '@streamline/nest-messaging';
import type { InsertedDeadLetter } from './dead-letters.repository';

/**
 * Announces stored dead letters on core NATS `dlq.received.<origin topic>`, after the database
 * commit. An announcement is a notification, not a record: the store is the truth, so a NATS
 * outage is logged and never holds up storing.
 */
@Injectable()
export class DeadLetterAnnouncer {
  private readonly logger = new Logger(DeadLetterAnnouncer.name);

  constructor(@Inject(NATS_CONNECTION) private readonly nats: NatsConnectionHandle) {}

  async announce(letters: readonly InsertedDeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    try {
      const nc = await this.nats.get();
      for (const letter of letters) {
        const body = {
          id: String(letter.id),
          originTopic: letter.origin_topic,
          service: letter.service,
          errorClass: letter.error_class,
          replayOf: letter.replay_of === null ? null : String(letter.replay_of),
        };
        nc.publish(dlqReceivedSubject(letter.origin_topic), JSON.stringify(body));
      }
    } catch (error) {
      this.logger.warn(`announcing ${letters.length} dead letter(s) failed: ${String(error)}`);
    }
  }
}
