import 'reflect-metadata';
import { Controller, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  contractHeaders,
  HEADERS,
  telemetryContract,
  type TelemetryRecord,
} from '@streamline/contracts';
import {
  createKafka,
  NonRetryableError,
  RetryableError,
  silentLogger,
} from '@streamline/messaging';
import {
  baseConfigSchema,
  kafkaConfigSchema,
  PlatformModule,
  portVar,
  type ServiceDefinition,
} from '@streamline/platform';
import {
  startTestService,
  TEST_ENV,
  uniqueName,
  waitFor,
  type RunningTestService,
} from '@streamline/testing';
import { Partitioners, type Admin, type Kafka, type KafkaMessage } from 'kafkajs';
import { KAFKA_CLIENT, KafkaModule } from '../kafka.module';
import { KafkaConsumerServer } from './kafka-consumer.server';
import { KafkaHandler } from './kafka-handler.decorator';
import { KafkaRecordContext } from './kafka-record.context';

const configSchema = baseConfigSchema.extend(kafkaConfigSchema.shape).extend({ PORT: portVar(0) });

/** What the test controller saw, shared through DI. */
@Injectable()
class Seen {
  readonly records: Array<{ seq: number; attempt: number; topic: string; key: string | null }> = [];
}

/** A tiny service whose controller handles one topic with `@KafkaHandler`. */
function serviceFor(topic: string): ServiceDefinition<typeof configSchema> {
  @Controller()
  class TelemetryController {
    constructor(private readonly seen: Seen) {}

    @KafkaHandler(topic, { contract: telemetryContract, failurePolicy: { maxAttempts: 3 } })
    onTelemetry(@Payload() value: TelemetryRecord, @Ctx() context: KafkaRecordContext): void {
      if (value.seq === 13) throw new NonRetryableError('UNLUCKY', 'seq 13 is refused');
      if (value.seq === 7 && context.getAttempt() === 1) {
        throw new RetryableError('BUSY', 'try again later');
      }
      this.seen.records.push({
        seq: value.seq ?? -1,
        attempt: context.getAttempt(),
        topic: context.getTopic(),
        key: context.getKey(),
      });
    }
  }

  @Module({})
  class TestAppModule {
    static register(config: typeof configSchema._zod.output): DynamicModule {
      return {
        module: TestAppModule,
        imports: [
          PlatformModule.forRoot({ service: 'kafka-transport-it', version: '0.0.0', config }),
          KafkaModule.forRoot({ brokers: config.KAFKA_BROKERS, clientId: 'kafka-transport-it' }),
        ],
        controllers: [TelemetryController],
        providers: [Seen],
      };
    }
  }

  return {
    name: 'kafka-transport-it',
    description: 'boots a @KafkaHandler controller over KafkaConsumerServer',
    version: '0.0.0',
    configSchema,
    module: (config) => TestAppModule.register(config),
  };
}

function header(message: KafkaMessage | undefined, name: string): string | undefined {
  return message?.headers?.[name]?.toString();
}

describe('KafkaConsumerServer in a Nest app, against the real broker', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = uniqueName('it.nest.telemetry');
  const groupId = uniqueName('it.nest.group');
  let service: RunningTestService | undefined;

  beforeAll(async () => {
    kafka = createKafka({
      brokers: TEST_ENV.kafkaBrokers,
      clientId: 'it-nest',
      logger: silentLogger,
    });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 2 },
        { topic: `${topic}.retry`, numPartitions: 2 },
        { topic: `${topic}.dlq`, numPartitions: 1 },
      ],
    });
  });

  afterAll(async () => {
    await service?.close();
    await admin
      .deleteTopics({ topics: [topic, `${topic}.retry`, `${topic}.dlq`] })
      .catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  });

  it('hands validated records to the @KafkaHandler method, routes its errors by code, serves the metrics and commits on close', async () => {
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const values = Array.from({ length: 20 }, (_, seq): TelemetryRecord => ({
      deviceId: `device-${seq % 4}`,
      ts: 1_700_000_000_000 + seq,
      seq,
      metrics: { temperature: seq },
      ingestedAt: 1_700_000_000_500 + seq,
    }));
    await producer.send({
      topic,
      acks: -1,
      messages: values.map((v) => ({
        key: v.deviceId,
        value: JSON.stringify(v),
        headers: contractHeaders(telemetryContract),
      })),
    });
    await producer.disconnect();

    service = await startTestService(serviceFor(topic), {
      KAFKA_BROKERS: TEST_ENV.kafkaBrokers.join(','),
    });
    const { app } = service;
    app.connectMicroservice(
      {
        inject: [KAFKA_CLIENT],
        useFactory: (client: Kafka) => ({
          strategy: new KafkaConsumerServer({
            kafka: client,
            groupId,
            service: 'kafka-transport-it',
          }),
        }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    const seen = app.get(Seen);

    await waitFor(() => (seen.records.length >= 18 ? true : undefined), {
      what: '18 records handled',
    });
    expect(seen.records.every((r) => r.topic === topic && r.key === `device-${r.seq % 4}`)).toBe(
      true,
    );
    expect(seen.records.find((r) => r.seq === 7)).toBeUndefined();

    // The NonRetryableError keeps its class and code through Nest's exception layer: straight to the DLQ.
    const letters: KafkaMessage[] = [];
    const reader = kafka.consumer({ groupId: uniqueName('it.nest.reader'), maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topics: [`${topic}.dlq`, `${topic}.retry`], fromBeginning: true });
    const retries: KafkaMessage[] = [];
    await reader.run({
      eachMessage: async ({ topic: from, message }) => {
        (from.endsWith('.dlq') ? letters : retries).push(message);
      },
    });
    await waitFor(() => (letters.length >= 1 && retries.length >= 1 ? true : undefined), {
      what: 'the dead letter of seq 13 and the retry of seq 7',
    });
    await reader.disconnect();
    expect(JSON.parse(letters[0]?.value?.toString() ?? '{}').seq).toBe(13);
    expect(header(letters[0], HEADERS.DLQ_ERROR_CLASS)).toBe('NonRetryableError');
    expect(header(letters[0], HEADERS.DLQ_ATTEMPTS)).toBe('1');
    expect(JSON.parse(retries[0]?.value?.toString() ?? '{}').seq).toBe(7);
    expect(header(retries[0], HEADERS.RETRY_ERROR)).toBe('BUSY: try again later');

    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`kafka_consumer_lag\\{[^}]*group="${groupId}"[^}]*\\} 0`));
    expect(metrics).toMatch(
      new RegExp(`kafka_consumer_records_processed_total\\{[^}]*group="${groupId}"[^}]*\\} \\d+`),
    );

    // SIGTERM path: app.close() stops the transport, which commits before leaving the group.
    await service.close();
    service = undefined;
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    for (const end of ends) {
      const committed = offsets?.partitions.find((p) => p.partition === end.partition)?.offset;
      // An empty partition has nothing to commit: Kafka reports -1 for it.
      expect(committed).toBe(end.high === '0' ? '-1' : end.high);
    }
  });
});
