import fc from 'fast-check';
import {
  isValidTopicFilter,
  matchesTopicFilter,
  shareGroupOf,
  stripSharePrefix,
} from './mqtt-topic-filter';

const level = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
const topic = fc.array(level, { minLength: 1, maxLength: 6 }).map((l) => l.join('/'));

describe('MQTT topic filters', () => {
  it.each([
    ['sensors/+/telemetry', 'sensors/abc/telemetry', true],
    ['sensors/+/telemetry', 'sensors/abc/status', false],
    ['sensors/+/telemetry', 'sensors/a/b/telemetry', false],
    ['sensors/#', 'sensors', true],
    ['sensors/#', 'sensors/a/b', true],
    ['#', 'anything/at/all', true],
    ['+/x', '$SYS/x', false],
    ['#', '$SYS/broker', false],
    ['$share/iot-ingestor/sensors/+/telemetry', 'sensors/dev-1/telemetry', true],
    ['$share/iot-ingestor/sensors/+/telemetry', 'sensors/dev-1/status', false],
  ])('%s matches %s: %s', (filter, t, expected) => {
    expect(matchesTopicFilter(filter, t)).toBe(expected);
  });

  it('matches every topic against itself, `#`, and itself with any level replaced by `+`', () => {
    fc.assert(
      fc.property(topic, fc.nat(), (t, i) => {
        const levels = t.split('/');
        const withPlus = levels.map((l, j) => (j === i % levels.length ? '+' : l)).join('/');
        expect(matchesTopicFilter(t, t)).toBe(true);
        expect(matchesTopicFilter('#', t)).toBe(true);
        expect(matchesTopicFilter(withPlus, t)).toBe(true);
        expect(matchesTopicFilter(`$share/g/${withPlus}`, t)).toBe(true);
        expect(matchesTopicFilter(`${t}/+`, t)).toBe(false);
      }),
    );
  });

  it('reads the share group and the inner filter of a shared subscription', () => {
    expect(shareGroupOf('$share/iot-ingestor/sensors/+/telemetry')).toBe('iot-ingestor');
    expect(stripSharePrefix('$share/iot-ingestor/sensors/+/telemetry')).toBe('sensors/+/telemetry');
    expect(shareGroupOf('sensors/+/telemetry')).toBeUndefined();
    expect(stripSharePrefix('sensors/#')).toBe('sensors/#');
  });

  it.each(['sensors/#/x', 'sensors/a+/x', 'sensors/#a', '$share/g', '$share//x', ''])(
    'refuses the invalid filter %p',
    (filter) => {
      expect(isValidTopicFilter(filter)).toBe(false);
    },
  );

  it.each(['sensors/+/telemetry', 'sensors/#', '#', '$share/g/sensors/+/status'])(
    'accepts %p',
    (filter) => {
      expect(isValidTopicFilter(filter)).toBe(true);
    },
  );
});
