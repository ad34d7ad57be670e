import { deviceClientOptions, lastWill } from './device-fleet';

describe('device MQTT options', () => {
  it('gives each device its own MQTT 5 client id sim-<deviceId>', () => {
    expect(deviceClientOptions('sim-device-0001')).toMatchObject({
      clientId: 'sim-sim-device-0001',
      protocolVersion: 5,
    });
  });

  it('leaves a retained QoS 1 offline status as last will on the device status topic', () => {
    const will = lastWill('sim-device-0042');
    expect(will).toMatchObject({ topic: 'sensors/sim-device-0042/status', qos: 1, retain: true });
    expect(JSON.parse(will.payload.toString())).toEqual({
      deviceId: 'sim-device-0042',
      status: 'offline',
    });
    expect(deviceClientOptions('sim-device-0042').will).toEqual(will);
  });
});
