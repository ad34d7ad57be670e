import { parseArgs } from 'node:util';

/** Everything the simulator can be told, after validation. */
export interface SimulatorOptions {
  devices: number;
  /** Telemetry readings per second, over all devices. */
  rate: number;
  /** Readings per MQTT message; above 1 the payload is a JSON array, as a gateway sends. */
  batch: number;
  users: number;
  /** User-activity events per second, over all users. */
  eventsRate: number;
  /** Events per POST /events; above 1 the body is a JSON array. */
  httpBatch: number;
  mqttUrl: string;
  producerUrl: string;
  /** Seconds to run; 0 runs until SIGINT/SIGTERM. */
  duration: number;
  /** Share (0..1) of MQTT messages and user events that are deliberately invalid. */
  badRatio: number;
  /** Seconds between two stats lines. */
  statsInterval: number;
  /** Device ids are `<devicePrefix>-0001`…; a unique prefix keeps runs apart on a shared broker. */
  devicePrefix: string;
}

export const DEFAULT_OPTIONS: SimulatorOptions = {
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
};

/** A bad flag or environment variable; the CLI prints the message and exits with code 2. */
export class OptionError extends Error {
  override readonly name = 'OptionError';
}

export type ParsedCommandLine = { help: true } | { help: false; options: SimulatorOptions };

type NumberRule = { kind: 'int' | 'number'; min: number; max: number; minExclusive?: boolean };
type OptionSpec =
  | { key: keyof SimulatorOptions; flag: string; env: string; rule: NumberRule; help: string }
  | {
      key: keyof SimulatorOptions;
      flag: string;
      env: string;
      rule: 'mqtt-url' | 'http-url' | 'prefix';
      help: string;
    };

/** The device id pattern of the contract, minus room for the `-0001` suffix. */
const PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
const MQTT_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:']);
const HTTP_PROTOCOLS = new Set(['http:', 'https:']);

/** Flag, environment variable and rule for every option; the help text is built from it. */
const SPECS: readonly OptionSpec[] = [
  {
    key: 'devices',
    flag: 'devices',
    env: 'SIM_DEVICES',
    rule: { kind: 'int', min: 0, max: 5_000 },
    help: 'simulated devices, one MQTT client each',
  },
  {
    key: 'rate',
    flag: 'rate',
    env: 'SIM_RATE',
    rule: { kind: 'number', min: 0, max: 100_000 },
    help: 'telemetry readings per second, in total',
  },
  {
    key: 'batch',
    flag: 'batch',
    env: 'SIM_BATCH',
    rule: { kind: 'int', min: 1, max: 1_000 },
    help: 'readings per MQTT message (>1 sends a JSON array)',
  },
  {
    key: 'users',
    flag: 'users',
    env: 'SIM_USERS',
    rule: { kind: 'int', min: 0, max: 100_000 },
    help: 'simulated users',
  },
  {
    key: 'eventsRate',
    flag: 'events-rate',
    env: 'SIM_EVENTS_RATE',
    rule: { kind: 'number', min: 0, max: 100_000 },
    help: 'user events per second, in total',
  },
  {
    key: 'httpBatch',
    flag: 'http-batch',
    env: 'SIM_HTTP_BATCH',
    rule: { kind: 'int', min: 1, max: 500 },
    help: 'events per POST /events (>1 sends a JSON array)',
  },
  { key: 'mqttUrl', flag: 'mqtt-url', env: 'MQTT_URL', rule: 'mqtt-url', help: 'MQTT broker' },
  {
    key: 'producerUrl',
    flag: 'producer-url',
    env: 'EVENT_PRODUCER_URL',
    rule: 'http-url',
    help: 'event-producer base URL',
  },
  {
    key: 'duration',
    flag: 'duration',
    env: 'SIM_DURATION',
    rule: { kind: 'number', min: 0, max: 31_536_000 },
    help: 'seconds to run, 0 = until Ctrl-C',
  },
  {
    key: 'badRatio',
    flag: 'bad-ratio',
    env: 'SIM_BAD_RATIO',
    rule: { kind: 'number', min: 0, max: 1 },
    help: 'share of deliberately invalid payloads (0..1)',
  },
  {
    key: 'statsInterval',
    flag: 'stats-interval',
    env: 'SIM_STATS_INTERVAL',
    rule: { kind: 'number', min: 0, max: 3_600, minExclusive: true },
    help: 'seconds between stats lines',
  },
  {
    key: 'devicePrefix',
    flag: 'device-prefix',
    env: 'SIM_DEVICE_PREFIX',
    rule: 'prefix',
    help: 'device ids are <prefix>-0001…',
  },
];

/** The `--help` text. */
export function usage(): string {
  const lines = SPECS.map((spec) => {
    const left = `  --${spec.flag} <value>`.padEnd(28);
    const fallback = String(DEFAULT_OPTIONS[spec.key]);
    return `${left}${spec.help} (env ${spec.env}, default ${fallback})`;
  });
  return [
    'Usage: tsx tools/simulator/src/main.ts [options]',
    '',
    'Demo traffic for streamline: MQTT telemetry from simulated devices and',
    'user-activity events POSTed to the event-producer. Prints a JSON stats line',
    'to stdout every interval and a final one on exit. A flag wins over its variable.',
    '',
    'Options:',
    ...lines,
    '  --help                    this text',
  ].join('\n');
}

function parseNumber(raw: string, rule: NumberRule, source: string): number {
  const text = raw.trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value))
    throw new OptionError(`${source} must be a number, got "${raw}"`);
  if (rule.kind === 'int' && !Number.isInteger(value)) {
    throw new OptionError(`${source} must be a whole number, got "${raw}"`);
  }
  const tooSmall = rule.minExclusive ? value <= rule.min : value < rule.min;
  if (tooSmall || value > rule.max) {
    const low = rule.minExclusive ? `above ${rule.min}` : `at least ${rule.min}`;
    throw new OptionError(`${source} must be ${low} and at most ${rule.max}, got "${raw}"`);
  }
  return value;
}

function parseUrl(raw: string, protocols: Set<string>, source: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new OptionError(`${source} must be a URL, got "${raw}"`);
  }
  if (!protocols.has(url.protocol)) {
    throw new OptionError(`${source} must use one of ${[...protocols].join(' ')}, got "${raw}"`);
  }
  return raw.trim().replace(/\/+$/, '');
}

function parseValue(spec: OptionSpec, raw: string, source: string): number | string {
  if (spec.rule === 'mqtt-url') return parseUrl(raw, MQTT_PROTOCOLS, source);
  if (spec.rule === 'http-url') return parseUrl(raw, HTTP_PROTOCOLS, source);
  if (spec.rule === 'prefix') {
    if (!PREFIX_PATTERN.test(raw)) {
      throw new OptionError(`${source} must match ${PREFIX_PATTERN.source}, got "${raw}"`);
    }
    return raw;
  }
  return parseNumber(raw, spec.rule, source);
}

/** parseArgs errors carry an ERR_PARSE_ARGS_* code (checked by shape: they may come from another realm). */
function parseArgsErrorMessage(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return typeof code === 'string' &&
    code.startsWith('ERR_PARSE_ARGS') &&
    typeof message === 'string'
    ? message
    : undefined;
}

/**
 * Reads the options from command-line arguments (without `node` and the script) and
 * the environment; a flag wins over its variable. Throws OptionError on a bad value.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedCommandLine {
  const parseOptions: Record<string, { type: 'string' | 'boolean' }> = {
    help: { type: 'boolean' },
  };
  for (const spec of SPECS) parseOptions[spec.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: parseOptions,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    const message = parseArgsErrorMessage(error);
    if (message !== undefined) throw new OptionError(message);
    throw error;
  }
  if (values['help'] === true) return { help: true };

  const options: SimulatorOptions = { ...DEFAULT_OPTIONS };
  const target = options as unknown as Record<string, number | string>;
  for (const spec of SPECS) {
    const flagValue = values[spec.flag];
    if (typeof flagValue === 'string') {
      target[spec.key] = parseValue(spec, flagValue, `--${spec.flag}`);
      continue;
    }
    const envValue = env[spec.env];
    if (envValue !== undefined && envValue !== '') {
      target[spec.key] = parseValue(spec, envValue, `${spec.env} (--${spec.flag})`);
    }
  }
  return { help: false, options };
}
