import { DeviceTopicPattern } from './device-topic';

describe('DeviceTopicPattern', () => {
  it('reads the device level of the ARCHITECTURE topics, shared or not', () => {
    expect(
      new DeviceTopicPattern('$share/iot-ingestor/sensors/+/telemetry').deviceOf(
        'sensors/d-1/telemetry',
      ),
    ).toEqual({
      deviceId: 'd-1',
      safe: true,
    });
    expect(new DeviceTopicPattern('sensors/+/status').deviceOf('sensors/abc_9/status')).toEqual({
      deviceId: 'abc_9',
      safe: true,
    });
  });

  it('reads the device level below a prefix (test topic spaces)', () => {
    const pattern = new DeviceTopicPattern('$share/g/it-x/sensors/+/telemetry');
    expect(pattern.deviceOf('it-x/sensors/dev/telemetry')).toEqual({ deviceId: 'dev', safe: true });
    expect(pattern.deviceOf('sensors/dev/telemetry')).toBeUndefined();
  });

  it('flags a device level that is not a safe device id', () => {
    const pattern = new DeviceTopicPattern('sensors/+/telemetry');
    expect(pattern.deviceOf('sensors/a.b/telemetry')).toEqual({ deviceId: 'a.b', safe: false });
    expect(pattern.deviceOf('sensors//telemetry')).toEqual({ deviceId: '', safe: false });
  });

  it('answers undefined for topics the filter does not match', () => {
    expect(
      new DeviceTopicPattern('sensors/+/telemetry').deviceOf('sensors/a/status'),
    ).toBeUndefined();
  });

  it('never matches a $-topic with a leading device level (MQTT 4.7.2)', () => {
    expect(new DeviceTopicPattern('+/telemetry').deviceOf('$SYS/telemetry')).toBeUndefined();
  });

  it('refuses a filter without a device level, or with a "#"', () => {
    expect(() => new DeviceTopicPattern('sensors/a/telemetry')).toThrow(RangeError);
    expect(() => new DeviceTopicPattern('sensors/+/#')).toThrow(RangeError);
  });
});
