import { Global, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  JETSTREAM_CONSUMER_SETTINGS,
  KV_SETTINGS,
  STREAM_SETTINGS,
  alertContract,
  deadLetterSubject,
  type Alert,
} from '@streamline/contracts';
import {
  JetStreamPublisher,
  NonRetryableError,
  type JetStreamMessage,
} from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import { connect } from 'nats';
import { JetStreamConsumer } from './jetstream-consumer.decorator';
import { NatsModule } from './nats.module';

const prefix = uniqueName('it-nest-nats');
const alerts = {
  ...STREAM_SETTINGS.ALERTS,
  name: `${prefix}-alerts`,
  subjects: [`${prefix}-alerts.>`],
};
const deadLetters = {
  ...STREAM_SETTINGS.ALERTS,
  name: `${prefix}-dl`,
  subjects: [`${prefix}-dl.>`],
};
const consumer = {
  ...JETSTREAM_CONSUMER_SETTINGS.CDC_SINK_ALERTS,
  stream: alerts.name,
  durable_name: 'sink',
  filter_subject: `${alerts.name}.>`,
};
const presence = { ...KV_SETTINGS.DEVICE_PRESENCE, bucket: `${prefix}-presence` };

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class TestPlatformModule {}

/** A service's handler: a few lines, the policy lives in the worker. */
@Injectable()
class AlertSink {
  readonly received: Alert[] = [];

  @JetStreamConsumer({
    stream: alerts.name,
    consumer: 'sink',
    contract: alertContract,
    deadLetterSubject: deadLetterSubject(alerts.name, 'sink', deadLetters.name),
  })
  async onAlert(message: JetStreamMessage<Alert>): Promise<void> {
    if (message.value.deviceId === 'dev-bad') {
      throw new NonRetryableError('UNKNOWN_DEVICE', 'not in the registry');
    }
    this.received.push(message.value);
  }
}

const alertFor = (deviceId: string): Alert => ({
  alertId: `${deviceId}:threshold.max:temperature:1700000000000`,
  deviceId,
  rule: 'threshold.max',
  metric: 'temperature',
  value: 99,
  threshold: 80,
  windowStart: 1_700_000_000_000,
  windowEnd: 1_700_000_060_000,
});

describe('NatsModule against the real NATS server', () => {
  let app: INestApplicationContext;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestPlatformModule,
        NatsModule.forRoot({
          url: TEST_ENV.natsUrl,
          name: 'it-service',
          jetstream: { streams: [alerts, deadLetters], consumers: [consumer], kv: [presence] },
        }),
      ],
      providers: [AlertSink],
    }).compile();
    app = await moduleRef.init();
  });

  afterAll(async () => {
    await app?.close();
    const nc = await connect({ servers: TEST_ENV.natsUrl });
    const jsm = await nc.jetstreamManager();
    for (const name of [alerts.name, deadLetters.name, `KV_${presence.bucket}`]) {
      await jsm.streams.delete(name).catch(() => false);
    }
    await nc.close();
  });

  it('provisions on start and reports ready (nats readiness check) once done', async () => {
    const check = app
      .get(ReadinessRegistry)
      .list()
      .find((c) => c.name === 'nats');
    expect(check).toBeDefined();
    await waitFor(async () => {
      await check!.check();
      return true;
    });
    const nc = await connect({ servers: TEST_ENV.natsUrl });
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(alerts.name)).config.subjects).toEqual(alerts.subjects);
    expect((await jsm.consumers.info(alerts.name, 'sink')).config.ack_policy).toBe('explicit');
    expect((await jsm.streams.info(`KV_${presence.bucket}`)).config.max_msgs_per_subject).toBe(1);
    await nc.close();
  });

  it('delivers what the injected publisher sends to the @JetStreamConsumer handler, duplicates dropped', async () => {
    const publisher = app.get(JetStreamPublisher);
    const sink = app.get(AlertSink);
    const first = alertFor('dev-1');
    for (let i = 0; i < 3; i++) {
      await publisher.publish(alertContract, {
        subject: `${alerts.name}.dev-1`,
        value: first,
        msgId: first.alertId,
      });
    }
    const second = alertFor('dev-2');
    await publisher.publish(alertContract, {
      subject: `${alerts.name}.dev-2`,
      value: second,
      msgId: second.alertId,
    });
    await waitFor(() => (sink.received.length >= 2 ? true : undefined), { what: 'two alerts' });
    expect(sink.received).toEqual([first, second]);
  });

  it('dead-letters what the handler rejects as non-retryable', async () => {
    const bad = alertFor('dev-bad');
    await app.get(JetStreamPublisher).publish(alertContract, {
      subject: `${alerts.name}.dev-bad`,
      value: bad,
      msgId: bad.alertId,
    });
    const nc = await connect({ servers: TEST_ENV.natsUrl });
    const jsm = await nc.jetstreamManager();
    const letter = await waitFor(async () => {
      const info = await jsm.streams.info(deadLetters.name);
      if (info.state.messages === 0) return undefined;
      return jsm.streams.getMessage(deadLetters.name, { seq: info.state.first_seq });
    });
    expect(letter.subject).toBe(deadLetterSubject(alerts.name, 'sink', deadLetters.name));
    expect(letter.header.get('dlq.service')).toBe('it-service');
    expect(letter.header.get('dlq.error.class')).toBe('NonRetryableError');
    await nc.close();
  });
});
