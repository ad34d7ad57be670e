import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { silentLogger } from '../logging/messaging-logger';
import { attachProtocolFallback, isUnsupportedProtocolRefusal } from './mqtt-connection';

function fakeClient(protocolVersion: 4 | 5) {
  const client = Object.assign(new EventEmitter(), {
    options: {
      clientId: 'c',
      protocolVersion,
      properties: { sessionExpiryInterval: 3_600 } as object | undefined,
    },
  });
  return client as typeof client & MqttClient;
}

const refusal = (code: number) => Object.assign(new Error('Connection refused'), { code });

describe('MQTT 5 → 3.1.1 fallback', () => {
  it('recognises the refusals of the protocol version only', () => {
    expect(isUnsupportedProtocolRefusal(refusal(0x01))).toBe(true);
    expect(isUnsupportedProtocolRefusal(refusal(0x84))).toBe(true);
    expect(isUnsupportedProtocolRefusal(refusal(0x87))).toBe(false);
    expect(isUnsupportedProtocolRefusal(new Error('ECONNREFUSED'))).toBe(false);
    expect(isUnsupportedProtocolRefusal(null)).toBe(false);
  });

  it('switches a v5 client to 3.1.1 and drops the v5-only connect properties', () => {
    const client = fakeClient(5);
    attachProtocolFallback(client, silentLogger);
    client.emit('error', refusal(0x84));
    expect(client.options.protocolVersion).toBe(4);
    expect(client.options.properties).toBeUndefined();
  });

  it('leaves the version alone for other errors', () => {
    const client = fakeClient(5);
    attachProtocolFallback(client, silentLogger);
    client.emit('error', refusal(0x86));
    expect(client.options.protocolVersion).toBe(5);
  });
});
