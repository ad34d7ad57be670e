import { validate, type ContractIssue, type ValidationResult } from '../../contract';
import { devicePresenceContract, devicePresenceFromMqtt } from './device-presence.schema';

const T0 = Date.UTC(2024, 4, 1, 12);

function issuesOf<T>(result: ValidationResult<T>): readonly ContractIssue[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues;
}

describe('device presence (device-presence/1, the NATS KV value)', () => {
  it('accepts a presence unchanged', () => {
    const presence = { deviceId: 'dev-1', status: 'online', lastSeen: T0 };
    expect(devicePresenceContract.schemaId).toBe('device-presence/1');
    expect(validate(devicePresenceContract, presence)).toEqual({ ok: true, value: presence });
  });

  it.each([
    ['an unknown status', { status: 'away' }, 'status'],
    ['an unsafe deviceId', { deviceId: 'a b' }, 'deviceId'],
    ['lastSeen in seconds', { lastSeen: 1714564800 }, 'lastSeen'],
  ])('rejects %s', (_label, patch, path) => {
    const value = { deviceId: 'dev-1', status: 'online', lastSeen: T0, ...patch };
    expect(issuesOf(validate(devicePresenceContract, value)).map((i) => i.path)).toEqual([path]);
  });
});

describe('devicePresenceFromMqtt', () => {
  it.each([
    ['plain text', 'offline', 'offline'],
    ['plain text with a newline', 'online\n', 'online'],
    ['a JSON string', '"online"', 'online'],
    ['a JSON object', '{"status":"offline","ts":1}', 'offline'],
  ])('reads the status from %s, with the receive time as lastSeen', (_label, payload, status) => {
    expect(devicePresenceFromMqtt('sensors/dev-1/status', Buffer.from(payload), T0)).toEqual({
      ok: true,
      value: { deviceId: 'dev-1', status, lastSeen: T0 },
    });
  });

  it('reports a bad status at its path', () => {
    expect(
      issuesOf(devicePresenceFromMqtt('sensors/d/status', '{"status":"gone"}', T0)).map(
        (i) => i.path,
      ),
    ).toEqual(['status']);
    expect(
      issuesOf(devicePresenceFromMqtt('sensors/d/status', '"gone"', T0)).map((i) => i.path),
    ).toEqual(['']);
  });

  it('reports a telemetry topic, invalid UTF-8 and text that is neither status nor JSON', () => {
    expect(issuesOf(devicePresenceFromMqtt('sensors/d/telemetry', 'online', T0))[0]?.code).toBe(
      'invalid_topic',
    );
    expect(
      issuesOf(devicePresenceFromMqtt('sensors/d/status', Uint8Array.from([0xff]), T0))[0]?.code,
    ).toBe('invalid_utf8');
    expect(issuesOf(devicePresenceFromMqtt('sensors/d/status', 'sleeping', T0))[0]?.code).toBe(
      'invalid_json',
    );
  });
});
