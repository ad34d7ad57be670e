import { Controller, Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { ErrorClassification, MqttMessage, MqttSubscription } from '@streamline/messaging';
import { APP_CONFIG } from '@streamline/platform';
import { MqttHandlersExplorer } from './mqtt-handlers.explorer';
import { MqttSubscribe, type MqttDeadLetterAware } from './mqtt-subscribe.decorator';
import { MQTT_SESSIONS, MQTT_STOP_POLICY } from './mqtt.tokens';

@Controller()
class TelemetryController implements MqttDeadLetterAware {
  readonly seen: string[] = [];
  readonly letters: string[] = [];

  @MqttSubscribe('$share/iot-ingestor/sensors/+/telemetry')
  async onTelemetry(message: MqttMessage): Promise<void> {
    this.seen.push(`telemetry:${message.topic}`);
  }

  async onMqttDeadLetter(message: MqttMessage, failure: ErrorClassification): Promise<void> {
    this.letters.push(`${message.topic}:${failure.code}`);
  }

  notAHandler(): void {
    this.seen.push('never');
  }
}

@Injectable()
class StatusHandler {
  readonly seen: string[] = [];

  @MqttSubscribe((config: { STATUS_FILTER: string }) => config.STATUS_FILTER, {
    qos: 0,
    session: 'status',
  })
  async onStatus(message: MqttMessage): Promise<void> {
    this.seen.push(`status:${message.topic}`);
  }
}

describe('MqttHandlersExplorer', () => {
  it('registers every @MqttSubscribe method with the subscriber of its session (filter read from the config when given so), bound, with the class dead-letter hook; starts, then stops them', async () => {
    const added: Array<MqttSubscription & { session: string }> = [];
    const calls: string[] = [];
    const fake = (session: string) => ({
      add: (s: MqttSubscription) => void added.push({ ...s, session }),
      start: async () => void calls.push(`start:${session}`),
      stop: async () => void calls.push(`stop:${session}`),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      controllers: [TelemetryController],
      providers: [
        StatusHandler,
        MqttHandlersExplorer,
        {
          provide: MQTT_SESSIONS,
          useValue: ['default', 'status'].map((name) => ({ name, subscriber: fake(name) })),
        },
        { provide: MQTT_STOP_POLICY, useValue: { leaveOnStop: false, graceMs: 1_000 } },
        { provide: APP_CONFIG, useValue: { STATUS_FILTER: 'site-7/sensors/+/status' } },
      ],
    }).compile();
    await moduleRef.init();

    expect(added.map((s) => [s.session, s.filter, s.qos, typeof s.onDeadLetter])).toEqual(
      expect.arrayContaining([
        ['default', '$share/iot-ingestor/sensors/+/telemetry', 1, 'function'],
        ['status', 'site-7/sensors/+/status', 0, 'undefined'],
      ]),
    );
    expect(added).toHaveLength(2);
    expect(calls).toEqual(['start:default', 'start:status']);

    const message = { topic: 'sensors/d/telemetry' } as MqttMessage;
    const telemetry = added.find((s) => s.filter.startsWith('$share'))!;
    await telemetry.handler(message, new AbortController().signal);
    await telemetry.onDeadLetter!(message, {
      code: 'BAD',
      retryable: false,
      errorClass: 'E',
      message: 'm',
    });
    const controller = moduleRef.get(TelemetryController);
    expect(controller.seen).toEqual(['telemetry:sensors/d/telemetry']);
    expect(controller.letters).toEqual(['sensors/d/telemetry:BAD']);

    await moduleRef.close();
    expect(calls).toEqual(['start:default', 'start:status', 'stop:default', 'stop:status']);
  });
});
