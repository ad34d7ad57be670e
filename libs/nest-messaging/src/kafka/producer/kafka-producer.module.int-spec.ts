import { Global, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HEADERS, userActivityContract, type UserActivity } from '@streamline/contracts';
import { ReadinessRegistry } from '@streamline/platform';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { KAFKA_CLIENT, KafkaModule } from '../kafka.module';
import { KafkaProducerModule } from './kafka-producer.module';
import { KafkaProducerService } from './kafka-producer.service';

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class TestPlatformModule {}

/** A use case as a service writes it: inject the producer, send a contract record, await the ack. */
@Injectable()
class RecordActivity {
  constructor(private readonly producer: KafkaProducerService) {}

  execute(topic: string, event: UserActivity) {
    return this.producer.send({
      topic,
      contract: userActivityContract,
      key: event.userId,
      value: event,
    });
  }
}

describe('KafkaProducerModule against the real broker', () => {
  it('sends contract records from a Nest service, acknowledged, with the contract headers', async () => {
    const topic = uniqueName('it.nest.producer');
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestPlatformModule,
        KafkaModule.forRoot({ brokers: TEST_ENV.kafkaBrokers, clientId: 'nest-producer-it' }),
        KafkaProducerModule.forRoot({ lingerMs: 2 }),
      ],
      providers: [RecordActivity],
    }).compile();
    const app = await moduleRef.init();
    const kafka = app.get<Kafka>(KAFKA_CLIENT);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      const event: UserActivity = {
        eventId: '7d5b8f6e-1c2a-4b3c-9d4e-5f6a7b8c9d0e',
        userId: 'user-1',
        type: 'page_view',
        ts: 1_700_000_000_000,
      };
      const report = await app.get(RecordActivity).execute(topic, event);
      expect(report).toMatchObject({ topic, offset: '0' });

      const received: KafkaMessage[] = [];
      const consumer = kafka.consumer({ groupId: uniqueName('it.nest.producer.reader') });
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void received.push(message) });
      await waitFor(() => (received.length > 0 ? true : undefined), { what: 'the record' });
      await consumer.disconnect();
      expect(received[0]?.key?.toString()).toBe('user-1');
      expect(received[0]?.headers?.[HEADERS.SCHEMA]?.toString()).toBe(
        userActivityContract.schemaId,
      );
      expect(JSON.parse(received[0]?.value?.toString() ?? '')).toMatchObject({
        eventId: event.eventId,
      });
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      await app.close();
    }
  });
});
