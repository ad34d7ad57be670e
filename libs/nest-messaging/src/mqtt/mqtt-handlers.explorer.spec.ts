import { Controller, Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import {
  MqttSubscriber,
  type ErrorClassification,
  type MqttMessage,
  type MqttSubscription,
} from '@streamline/messaging';
import { MqttHandlersExplorer } from './mqtt-handlers.explorer';
import { MqttSubscribe, type MqttDeadLetterAware } from './mqtt-subscribe.decorator';

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

  @MqttSubscribe('sensors/+/status', { qos: 0 })
  async onStatus(message: MqttMessage): Promise<void> {
    this.seen.push(`status:${message.topic}`);
  }
}

describe('MqttHandlersExplorer', () => {
  it('registers every @MqttSubscribe method bound to its instance, with the class dead-letter hook, then starts', async () => {
    const added: MqttSubscription[] = [];
    const calls: string[] = [];
    const fake = {
      add: (s: MqttSubscription) => void added.push(s),
      start: async () => void calls.push('start'),
      stop: async () => void calls.push('stop'),
    };
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      controllers: [TelemetryController],
      providers: [StatusHandler, MqttHandlersExplorer, { provide: MqttSubscriber, useValue: fake }],
    }).compile();
    await moduleRef.init();

    expect(added.map((s) => [s.filter, s.qos, typeof s.onDeadLetter])).toEqual(
      expect.arrayContaining([
        ['$share/iot-ingestor/sensors/+/telemetry', 1, 'function'],
        ['sensors/+/status', 0, 'undefined'],
      ]),
    );
    expect(added).toHaveLength(2);
    expect(calls).toEqual(['start']);

    const message = { topic: 'sensors/d/telemetry' } as MqttMessage;
    const telemetry = added.find((s) => s.filter.startsWith('$share'))!;
    await telemetry.handler(message);
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
    expect(calls).toEqual(['start', 'stop']);
  });
});
