import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { KAFKA_CLIENT } from '../kafka.module';
import { KafkaProducerModule } from './kafka-producer.module';
import { KafkaProducerService } from './kafka-producer.service';

/** Just enough of kafkajs' client for the producer: every batch lands at offset 0 of partition 0. */
function fakeKafka() {
  const state = {
    connects: 0,
    disconnects: 0,
    batches: [] as ProducerBatch[],
    configs: [] as ProducerConfig[],
  };
  const kafka = {
    producer: (config: ProducerConfig) => {
      state.configs.push(config);
      return {
        connect: async () => void (state.connects += 1),
        disconnect: async () => void (state.disconnects += 1),
        sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
          state.batches.push(batch);
          return [
            {
              topicName: batch.topicMessages?.[0]?.topic ?? '',
              partition: 0,
              errorCode: 0,
              baseOffset: '0',
            },
          ];
        },
      };
    },
  };
  return { kafka, state };
}

describe('KafkaProducerModule', () => {
  async function boot(kafka: unknown, options = {}) {
    @Global()
    @Module({ providers: [{ provide: KAFKA_CLIENT, useValue: kafka }], exports: [KAFKA_CLIENT] })
    class FakeKafkaModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [FakeKafkaModule, KafkaProducerModule.forRoot(options)],
    }).compile();
    const app = await moduleRef.init();
    return app;
  }

  it('provides a KafkaProducerService built on KAFKA_CLIENT, connected at start', async () => {
    const { kafka, state } = fakeKafka();
    const app = await boot(kafka);
    const producer = app.get(KafkaProducerService);
    await expect(producer.send({ topic: 't', key: 'k', value: 'v' })).resolves.toMatchObject({
      topic: 't',
    });
    expect(state.batches).toHaveLength(1);
    expect(state.connects).toBe(1);
    expect(state.configs[0]).toMatchObject({ idempotent: true });
    await app.close();
  });

  it('passes its options to the producer, and flushes what lingers when the application shuts down', async () => {
    const { kafka, state } = fakeKafka();
    const app = await boot(kafka, { lingerMs: 60_000 });
    app.get(KafkaProducerService).sendAndForget({ topic: 't', key: null, value: 'last words' });
    expect(state.batches).toHaveLength(0);
    await app.close();
    expect(state.batches).toHaveLength(1);
    expect(state.batches[0]?.topicMessages?.[0]?.messages[0]?.value).toBe('last words');
    expect(state.disconnects).toBe(1);
  });

  it('gives the kafkajs producer the retry options it was given (one client, short produce retries)', async () => {
    const { kafka, state } = fakeKafka();
    const retry = { initialRetryTime: 100, retries: 5, maxRetryTime: 2_000 };
    const app = await boot(kafka, { retry });
    await app.get(KafkaProducerService).send({ topic: 't', key: 'k', value: 'v' });
    expect(state.configs[0]).toMatchObject({ idempotent: true, retry });
    await app.close();
  });

  it('starts even when the broker cannot be reached: the connect failure is only logged', async () => {
    const { kafka } = fakeKafka();
    const broken = {
      producer: (config: ProducerConfig) => ({
        ...kafka.producer(config),
        connect: async () => {
          throw new Error('ECONNREFUSED');
        },
      }),
    };
    const app = await boot(broken, { deliveryTimeoutMs: 200 });
    await expect(
      app.get(KafkaProducerService).send({ topic: 't', key: null, value: 'v' }),
    ).rejects.toMatchObject({
      retryable: true,
    });
    await app.close();
  });
});
