import { Controller, Global, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  MqttSubscriber,
  NonRetryableError,
  type ErrorClassification,
  type MqttMessage,
} from '@streamline/messaging';
import { ReadinessRegistry } from '@streamline/platform';
import { TEST_ENV, uniqueName, waitFor } from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { MqttSubscribe, type MqttDeadLetterAware } from './mqtt-subscribe.decorator';
import { MqttModule } from './mqtt.module';

const prefix = uniqueName('it-nest-mqtt');
const TELEMETRY = `$share/${prefix}-group/${prefix}/sensors/+/telemetry`;

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
class TestPlatformModule {}

/** Test doubles are module-level: each app instance gets a fresh controller. */
const log: string[] = [];
const deadLetters: Array<{ payload: string; failure: ErrorClassification }> = [];
let gate: Promise<void> | undefined;

@Controller()
class TelemetryController implements MqttDeadLetterAware {
  @MqttSubscribe(TELEMETRY, { qos: 1 })
  async onTelemetry(message: MqttMessage): Promise<void> {
    const payload = message.payload.toString();
    if (payload === 'bad') throw new NonRetryableError('BAD_PAYLOAD', 'not JSON');
    log.push(`start:${payload}`);
    if (gate) await gate;
    log.push(`done:${payload}`);
  }

  async onMqttDeadLetter(message: MqttMessage, failure: ErrorClassification): Promise<void> {
    deadLetters.push({ payload: message.payload.toString(), failure });
  }
}

async function startApp(): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TestPlatformModule,
      MqttModule.forRoot({ url: TEST_ENV.mqttUrl, clientId: `${prefix}-svc` }),
    ],
    controllers: [TelemetryController],
  }).compile();
  const app = await moduleRef.init();
  // Subscribing happens once connected, in the background: publish only after the SUBACK.
  await app.get(MqttSubscriber).whenSubscribed();
  return app;
}

describe('MqttModule against the real Mosquitto', () => {
  let publisher: MqttClient;

  beforeAll(async () => {
    publisher = await connectAsync(TEST_ENV.mqttUrl, { clientId: `${prefix}-pub`, clean: true });
  });

  afterAll(async () => {
    await publisher.endAsync();
    const purge = await connectAsync(TEST_ENV.mqttUrl, {
      clientId: `${prefix}-svc`,
      protocolVersion: 5,
      clean: true,
      properties: { sessionExpiryInterval: 0 },
    });
    await purge.endAsync();
  });

  it('routes messages to @MqttSubscribe handlers, dead-letters to onMqttDeadLetter, reports ready', async () => {
    const app = await startApp();
    try {
      const check = app
        .get(ReadinessRegistry)
        .list()
        .find((c) => c.name === 'mqtt');
      await waitFor(async () => {
        await check!.check();
        return true;
      });
      await publisher.publishAsync(`${prefix}/sensors/dev-1/telemetry`, 'reading-1', { qos: 1 });
      await publisher.publishAsync(`${prefix}/sensors/dev-1/telemetry`, 'bad', { qos: 1 });
      await waitFor(() => (deadLetters.length > 0 ? true : undefined), { what: 'dead letter' });
      expect(log).toEqual(['start:reading-1', 'done:reading-1']);
      expect(deadLetters).toEqual([
        {
          payload: 'bad',
          failure: expect.objectContaining({ code: 'BAD_PAYLOAD', retryable: false }),
        },
      ]);
    } finally {
      await app.close();
    }
  });

  it('on shutdown lets the running handler finish and ack before the client ends; the rest waits in the session', async () => {
    log.length = 0;
    let release: () => void = () => undefined;
    gate = new Promise<void>((resolve) => (release = resolve));
    const app = await startApp();
    await publisher.publishAsync(`${prefix}/sensors/dev-2/telemetry`, 'in-flight', { qos: 1 });
    await publisher.publishAsync(`${prefix}/sensors/dev-2/telemetry`, 'queued', { qos: 1 });
    await waitFor(() => (log.includes('start:in-flight') ? true : undefined), { what: 'handler' });

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closed).toBe(false);
    release();
    await closing;
    gate = undefined;
    expect(log).toEqual(['start:in-flight', 'done:in-flight']);

    // Restart with the same client id: only the message that was never handled comes back.
    const restarted = await startApp();
    try {
      await waitFor(() => (log.includes('done:queued') ? true : undefined), { what: 'queued' });
      expect(log).toEqual(['start:in-flight', 'done:in-flight', 'start:queued', 'done:queued']);
    } finally {
      await restarted.close();
    }
  });
});
