import fc from 'fast-check';
import {
  DEFAULT_OPTIONS,
  OptionError,
  parseCommandLine,
  usage,
  type SimulatorOptions,
} from './simulator-options';

function options(argv: string[], env: Record<string, string> = {}): SimulatorOptions {
  const parsed = parseCommandLine(argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.options;
}

function errorOf(argv: string[], env: Record<string, string> = {}): OptionError {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    if (error instanceof OptionError) return error;
    throw error;
  }
  throw new Error(`expected an OptionError for ${argv.join(' ')} ${JSON.stringify(env)}`);
}

describe('parseCommandLine', () => {
  it('uses the documented defaults with no flags and no environment', () => {
    expect(options([])).toEqual({
      devices: 20,
      rate: 50,
      batch: 1,
      users: 50,
      eventsRate: 20,
      httpBatch: 1,
      mqttUrl: 'mqtt://localhost:1883',
      producerUrl: 'http://localhost:3002',
      duration: 0,
      badRatio: 0,
      statsInterval: 5,
      devicePrefix: 'sim-device',
    });
    expect(DEFAULT_OPTIONS.devicePrefix).toBe('sim-device');
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    expect(
      options([
        '--devices',
        '3',
        '--rate=100',
        '--batch',
        '4',
        '--users',
        '7',
        '--events-rate',
        '2.5',
        '--http-batch',
        '10',
        '--mqtt-url',
        'mqtt://broker:1884',
        '--producer-url',
        'http://producer:9000/',
        '--duration',
        '30',
        '--bad-ratio',
        '0.25',
        '--stats-interval',
        '0.5',
        '--device-prefix',
        'run_42',
      ]),
    ).toEqual({
      devices: 3,
      rate: 100,
      batch: 4,
      users: 7,
      eventsRate: 2.5,
      httpBatch: 10,
      mqttUrl: 'mqtt://broker:1884',
      producerUrl: 'http://producer:9000',
      duration: 30,
      badRatio: 0.25,
      statsInterval: 0.5,
      devicePrefix: 'run_42',
    });
  });

  it('reads MQTT_URL, EVENT_PRODUCER_URL and the SIM_* variables', () => {
    const parsed = options([], {
      MQTT_URL: 'mqtt://env-broker:1883',
      EVENT_PRODUCER_URL: 'https://env-producer',
      SIM_DEVICES: '5',
      SIM_RATE: '12',
      SIM_BAD_RATIO: '1',
      SIM_DEVICE_PREFIX: 'env-prefix',
    });
    expect(parsed).toMatchObject({
      mqttUrl: 'mqtt://env-broker:1883',
      producerUrl: 'https://env-producer',
      devices: 5,
      rate: 12,
      badRatio: 1,
      devicePrefix: 'env-prefix',
    });
  });

  it('lets a flag win over its environment variable', () => {
    const parsed = options(['--mqtt-url', 'mqtt://flag:1883', '--devices', '2'], {
      MQTT_URL: 'mqtt://env:1883',
      SIM_DEVICES: '9',
    });
    expect(parsed.mqttUrl).toBe('mqtt://flag:1883');
    expect(parsed.devices).toBe(2);
  });

  it('ignores an empty environment variable', () => {
    expect(options([], { SIM_RATE: '' }).rate).toBe(50);
  });

  it('answers --help with the usage text naming every flag', () => {
    expect(parseCommandLine(['--help'])).toEqual({ help: true });
    for (const flag of [
      '--devices',
      '--rate',
      '--batch',
      '--users',
      '--events-rate',
      '--http-batch',
      '--mqtt-url',
      '--producer-url',
      '--duration',
      '--bad-ratio',
      '--stats-interval',
      '--device-prefix',
      '--help',
    ]) {
      expect(usage()).toContain(flag);
    }
  });

  it.each([
    [['--devices', 'many'], /--devices must be a number/],
    [['--devices', '1.5'], /--devices must be a whole number/],
    [['--devices', '-1'], /'--devices' argument is ambiguous/],
    [['--devices=-1'], /--devices must be at least 0/],
    [['--devices', '100000'], /--devices .*at most 5000/],
    [['--rate=-5'], /--rate must be at least 0/],
    [['--batch', '0'], /--batch must be at least 1/],
    [['--http-batch', '501'], /--http-batch .*at most 500/],
    [['--events-rate', 'NaN'], /--events-rate must be a number/],
    [['--duration', ''], /--duration must be a number/],
    [['--bad-ratio', '1.5'], /--bad-ratio .*at most 1/],
    [['--stats-interval', '0'], /--stats-interval must be above 0/],
    [['--mqtt-url', 'localhost:1883'], /--mqtt-url must use one of/],
    [['--mqtt-url', 'not a url'], /--mqtt-url must be a URL/],
    [['--producer-url', 'ftp://x'], /--producer-url must use one of http: https:/],
    [['--device-prefix', 'bad prefix!'], /--device-prefix must match/],
    [['--bogus'], /Unknown option '--bogus'/],
    [['--rate'], /argument missing/],
    [['positional'], /positional/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(errorOf(argv).message).toMatch(message);
  });

  it('names the environment variable when the bad value came from it', () => {
    expect(errorOf([], { SIM_BATCH: 'x' }).message).toMatch(
      /^SIM_BATCH \(--batch\) must be a number/,
    );
    expect(errorOf([], { EVENT_PRODUCER_URL: 'localhost' }).message).toMatch(/^EVENT_PRODUCER_URL/);
  });

  it('accepts any whole device count in range and rejects any outside it', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10_000, max: 20_000 }), (devices) => {
        const inRange = devices >= 0 && devices <= 5_000;
        if (inRange) expect(options(['--devices', String(devices)]).devices).toBe(devices);
        else expect(errorOf(['--devices', String(devices)])).toBeInstanceOf(OptionError);
      }),
    );
  });

  it('accepts every bad ratio within 0..1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (ratio) => {
        expect(options(['--bad-ratio', String(ratio)]).badRatio).toBe(ratio);
      }),
    );
  });
});
