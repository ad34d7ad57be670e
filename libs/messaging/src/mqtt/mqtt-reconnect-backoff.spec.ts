import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { silentLogger } from '../logging/messaging-logger';
import {
  attachReconnectBackoff,
  mqttReconnectDelayMs,
  reconnectAfter,
} from './mqtt-reconnect-backoff';

function fakeClient() {
  const client = Object.assign(new EventEmitter(), {
    options: { reconnectPeriod: 1_000 },
    stream: { destroy: jest.fn() },
  });
  return client as typeof client & MqttClient;
}

describe('MQTT reconnect backoff', () => {
  const policy = { initialMs: 100, maxMs: 1_000 };

  it('doubles per failed attempt up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => mqttReconnectDelayMs(n, policy))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('sets the period mqtt.js will wait before each next attempt, and resets it on connect', () => {
    const client = fakeClient();
    attachReconnectBackoff(client, policy, silentLogger);
    expect(client.options.reconnectPeriod).toBe(100);
    const periods: number[] = [];
    for (let i = 0; i < 5; i++) {
      client.emit('reconnect');
      periods.push(client.options.reconnectPeriod);
    }
    expect(periods).toEqual([200, 400, 800, 1_000, 1_000]);
    client.emit('connect', { sessionPresent: true });
    expect(client.options.reconnectPeriod).toBe(100);
    client.emit('reconnect');
    expect(client.options.reconnectPeriod).toBe(200);
  });

  it('reconnectAfter drops the connection and arms the reconnect with the delay', () => {
    const client = fakeClient();
    reconnectAfter(client, 2_500);
    expect(client.options.reconnectPeriod).toBe(2_500);
    expect(client.stream.destroy).toHaveBeenCalledTimes(1);
  });
});
