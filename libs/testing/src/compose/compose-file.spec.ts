import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { topicSettings } from '@streamline/contracts';
import {
  composeBuildArgs,
  composeDependsOn,
  composeMapping,
  composeOneShotServices,
  composePublishedPorts,
  composeService,
  composeServiceEnvironment,
  DEFAULT_COMPOSE_FILE,
  interpolateCompose,
  loadComposeFile,
  type ComposeFile,
} from './compose-file';

const ROOT = path.resolve(__dirname, '../../../..');

/** The services and HTTP ports of ARCHITECTURE.md ("Services"). */
const APP_PORTS: Readonly<Record<string, number>> = {
  'iot-ingestor': 3001,
  'event-producer': 3002,
  aggregator: 3003,
  'dlq-handler': 3004,
  'cdc-sink': 3005,
};
const APPS = Object.keys(APP_PORTS);

/** Which compose service an app's environment variable points at. */
const DEPENDENCY_OF_VARIABLE: Readonly<Record<string, string>> = {
  KAFKA_BROKERS: 'kafka',
  NATS_URL: 'nats',
  MQTT_URL: 'mosquitto',
  DATABASE_URL: 'postgres',
};

/** The brokers/database each service uses (ARCHITECTURE.md and the services' config schemas). */
const APP_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  'iot-ingestor': ['kafka', 'nats', 'mosquitto'],
  'event-producer': ['kafka', 'postgres'],
  aggregator: ['kafka', 'nats'],
  'dlq-handler': ['kafka', 'nats', 'postgres'],
  'cdc-sink': ['kafka', 'nats', 'postgres'],
};

/** Topics consumed inside streamline: each has <topic>.retry and <topic>.dlq. */
const CONSUMED_TOPICS = [
  'iot.telemetry.v1',
  'events.user-activity.v1',
  'cdc.registry.devices',
  'agg.telemetry.1m.v1',
  'agg.user-sessions.v1',
];
const OTHER_TOPICS = ['iot.telemetry.late.v1', 'aggregator.state.changelog'];

/** The rows of TOPIC_TABLE in docker/topics.sh: "<name> <partitions> <configs>". */
function topicTable(): string[] {
  const script = readFileSync(path.join(ROOT, 'docker/topics.sh'), 'utf8');
  const match = /^TOPIC_TABLE='\n([\s\S]*?)^'$/m.exec(script);
  if (match === null) throw new Error("no TOPIC_TABLE='...' in docker/topics.sh");
  return match[1]
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

const kafkaVersion = () => readFileSync(path.join(ROOT, 'infra/kafka/VERSION'), 'utf8').trim();

/** The default of `PORT: portVar(N)` in apps/<app>/src/config/<app>.config.ts. */
function schemaDefaultPort(app: string): number {
  const source = readFileSync(path.join(ROOT, `apps/${app}/src/config/${app}.config.ts`), 'utf8');
  const match = /PORT:\s*portVar\((\d+)\)/.exec(source);
  if (match === null) throw new Error(`no PORT: portVar(N) in ${app}'s config schema`);
  return Number(match[1]);
}

/** The healthcheck command as one string (exec form joined with spaces). */
function healthcheckCommand(compose: ComposeFile, name: string): string {
  const test = composeService(compose, name).healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

describe('docker-compose.yml', () => {
  let compose: ComposeFile;

  beforeAll(() => {
    compose = loadComposeFile();
  });

  it('is found at the repository root by default and parses', () => {
    expect(DEFAULT_COMPOSE_FILE).toBe(path.join(ROOT, 'docker-compose.yml'));
    expect(existsSync(DEFAULT_COMPOSE_FILE)).toBe(true);
    expect(Object.keys(compose.services).sort()).toEqual(
      [...APPS, 'kafka', 'topics', 'postgres', 'mosquitto', 'nats'].sort(),
    );
  });

  it('follows the Compose spec: no top-level version key, only known top-level keys', () => {
    expect(compose).not.toHaveProperty('version');
    const known = ['name', 'services', 'volumes', 'networks', 'configs', 'secrets', 'include'];
    for (const key of Object.keys(compose)) {
      if (!key.startsWith('x-')) expect(known).toContain(key);
    }
  });

  it('treats topics as the only one-shot job, and it never restarts', () => {
    expect(composeOneShotServices(compose)).toEqual(['topics']);
    expect(composeService(compose, 'topics').restart ?? 'no').toBe('no');
  });

  it('gives every service except one-shot jobs a healthcheck with a test', () => {
    const oneShot = composeOneShotServices(compose);
    for (const [name, service] of Object.entries(compose.services)) {
      if (oneShot.includes(name)) continue;
      expect({ name, disabled: service.healthcheck?.disable ?? false }).toEqual({
        name,
        disabled: false,
      });
      const test = service.healthcheck?.test;
      expect({ name, hasTest: test !== undefined && test.length > 0 }).toEqual({
        name,
        hasTest: true,
      });
      if (Array.isArray(test)) expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
    }
  });

  it('has every depends_on entry of an app service use a condition', () => {
    for (const app of APPS) {
      const service = composeService(compose, app);
      expect(Array.isArray(service.depends_on)).toBe(false);
      const dependencies = composeDependsOn(service);
      expect(Object.keys(dependencies).length).toBeGreaterThan(0);
      for (const [dependency, spec] of Object.entries(dependencies)) {
        expect({ app, dependency, condition: spec.condition }).toEqual({
          app,
          dependency,
          condition: expect.stringMatching(/^service_(healthy|completed_successfully)$/),
        });
      }
    }
  });

  it('starts each app after the topics job and once the brokers/database it uses are healthy', () => {
    for (const app of APPS) {
      const dependencies = composeDependsOn(composeService(compose, app));
      const expected: Record<string, { condition: string }> = {
        topics: { condition: 'service_completed_successfully' },
      };
      for (const dependency of APP_DEPENDENCIES[app]) {
        expected[dependency] = { condition: 'service_healthy' };
      }
      expect({ app, dependencies }).toEqual({ app, dependencies: expected });
    }
  });

  it('only waits for health on services that have a healthcheck', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, spec] of Object.entries(composeDependsOn(service))) {
        expect({ name, dependency, exists: dependency in compose.services }).toEqual({
          name,
          dependency,
          exists: true,
        });
        if (spec.condition === 'service_healthy') {
          expect(composeService(compose, dependency).healthcheck?.test).toBeDefined();
        }
      }
    }
  });

  it('pins the Kafka image to infra/kafka/VERSION', () => {
    const version = kafkaVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(composeService(compose, 'kafka').image).toBe(`apache/kafka:${version}`);
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image?.startsWith('apache/kafka:')) {
        expect({ name, image: service.image }).toEqual({ name, image: `apache/kafka:${version}` });
      }
    }
  });

  it('publishes every app on its ARCHITECTURE.md port, the port its config schema defaults to', () => {
    for (const app of APPS) {
      const port = APP_PORTS[app];
      expect({ app, port: schemaDefaultPort(app) }).toEqual({ app, port });
      const ports = composePublishedPorts(composeService(compose, app));
      expect({ app, ports }).toEqual({
        app,
        ports: [{ target: port, published: port, protocol: 'tcp', hostIp: undefined }],
      });
      expect(composeServiceEnvironment(compose, app)['PORT']).toBe(String(port));
      expect(healthcheckCommand(compose, app)).toContain(`http://127.0.0.1:${port}/health/ready`);
    }
  });

  it('builds every app from the one Dockerfile with its SERVICE and PORT', () => {
    for (const app of APPS) {
      const service = composeService(compose, app);
      expect(service.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
      expect(composeBuildArgs(compose, app)).toEqual({
        SERVICE: app,
        PORT: String(APP_PORTS[app]),
      });
      expect(service.restart).toBe('unless-stopped');
      expect(service.stop_grace_period).toBe('15s');
      expect(existsSync(path.join(ROOT, 'apps', app, 'project.json'))).toBe(true);
    }
  });

  it('gives every app the base settings and exactly the broker URLs it uses, in-network', () => {
    for (const app of APPS) {
      const env = composeServiceEnvironment(compose, app);
      expect(env).toMatchObject({
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        LOG_LEVEL: 'info',
        SHUTDOWN_TIMEOUT_MS: '10000',
        READINESS_TIMEOUT_MS: '2000',
      });
      const urlVariables = Object.keys(DEPENDENCY_OF_VARIABLE).filter((key) => key in env);
      expect({ app, uses: urlVariables.map((key) => DEPENDENCY_OF_VARIABLE[key]).sort() }).toEqual({
        app,
        uses: [...APP_DEPENDENCIES[app]].sort(),
      });
      if ('KAFKA_BROKERS' in env) expect(env['KAFKA_BROKERS']).toBe('kafka:9092');
      if ('NATS_URL' in env) expect(env['NATS_URL']).toBe('nats://nats:4222');
      if ('MQTT_URL' in env) expect(env['MQTT_URL']).toBe('mqtt://mosquitto:1883');
      if ('DATABASE_URL' in env) {
        expect(env['DATABASE_URL']).toBe('postgres://postgres@postgres:5432/streamline');
      }
    }
    expect(composeServiceEnvironment(compose, 'iot-ingestor')['MQTT_CLIENT_ID']).toMatch(
      /^iot-ingestor-/,
    );
  });

  it('runs Kafka in KRaft combined mode with the settings of infra/kafka/server.properties', () => {
    const env = composeServiceEnvironment(compose, 'kafka');
    expect(env).toMatchObject({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    });
    expect(env['CLUSTER_ID']).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const listeners = new Map(
      env['KAFKA_LISTENERS'].split(',').map((l) => {
        const m = /^([A-Z_]+):\/\/[^:]*:(\d+)$/.exec(l);
        if (m === null) throw new Error(`bad listener ${l}`);
        return [m[1], Number(m[2])] as const;
      }),
    );
    const advertised = new Map(
      env['KAFKA_ADVERTISED_LISTENERS'].split(',').map((l) => {
        const m = /^([A-Z_]+):\/\/(.+)$/.exec(l);
        if (m === null) throw new Error(`bad advertised listener ${l}`);
        return [m[1], m[2]] as const;
      }),
    );
    const protocols = new Map(
      env['KAFKA_LISTENER_SECURITY_PROTOCOL_MAP'].split(',').map((p) => {
        const [listener, protocol] = p.split(':');
        return [listener, protocol] as const;
      }),
    );
    for (const name of listeners.keys()) expect(protocols.has(name)).toBe(true);
    expect(listeners.get('CONTROLLER')).toBe(9093);
    expect(advertised.has('CONTROLLER')).toBe(false);

    // The other containers use the internal listener as kafka:9092 ...
    const internal = env['KAFKA_INTER_BROKER_LISTENER_NAME'];
    expect(advertised.get(internal)).toBe('kafka:9092');
    expect(listeners.get(internal)).toBe(9092);
    // ... and the host the external one, published on 9092 and advertised as localhost:9092.
    const external = [...advertised].find(([, address]) => address === 'localhost:9092');
    expect(external).toBeDefined();
    const ports = composePublishedPorts(composeService(compose, 'kafka'));
    expect(ports).toContainEqual({
      target: listeners.get(external![0]),
      published: 9092,
      protocol: 'tcp',
      hostIp: undefined,
    });

    const health = healthcheckCommand(compose, 'kafka');
    expect(health).toMatch(/kafka-(broker-api-versions|topics|cluster)\.sh/);
    expect(health).toContain('--bootstrap-server localhost:9092');
  });

  it('keeps Kafka, Postgres, Mosquitto and NATS data in named volumes', () => {
    const volumes = Object.keys(compose.volumes ?? {});
    for (const name of ['kafka', 'postgres', 'mosquitto', 'nats']) {
      const mounts = (composeService(compose, name).volumes ?? []).filter(
        (v): v is string => typeof v === 'string',
      );
      const named = mounts.map((m) => m.split(':')[0]).filter((source) => volumes.includes(source));
      expect({ name, named: named.length }).toEqual({ name, named: 1 });
    }
  });

  it('bind-mounts only files that exist in the repository', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0] : volume['source'];
        if (typeof source === 'string' && source.startsWith('.')) {
          expect({ name, source, exists: existsSync(path.join(ROOT, source)) }).toEqual({
            name,
            source,
            exists: true,
          });
        }
      }
    }
  });

  it('configures Postgres for Debezium and the streamline database', () => {
    const postgres = composeService(compose, 'postgres');
    expect(postgres.image).toMatch(/^postgres:16(\b|$)/);
    const command = Array.isArray(postgres.command) ? postgres.command.join(' ') : postgres.command;
    expect(command).toContain('wal_level=logical');
    expect(composeServiceEnvironment(compose, 'postgres')).toMatchObject({
      POSTGRES_DB: 'streamline',
      POSTGRES_HOST_AUTH_METHOD: 'trust',
    });
    expect(healthcheckCommand(compose, 'postgres')).toContain('pg_isready');
  });

  it('runs Mosquitto with the repository config and a real MQTT healthcheck', () => {
    const mosquitto = composeService(compose, 'mosquitto');
    expect(mosquitto.image).toBe('eclipse-mosquitto:2');
    expect(mosquitto.volumes).toContain(
      './docker/mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro',
    );
    const conf = readFileSync(path.join(ROOT, 'docker/mosquitto/mosquitto.conf'), 'utf8');
    expect(conf).toMatch(/^listener 1883$/m);
    expect(conf).toMatch(/^allow_anonymous true$/m);
    expect(conf).toMatch(/^persistence true$/m);
    // `$SYS` must be written `$$SYS` in a compose file, or Compose interpolates it away.
    const test = mosquitto.healthcheck?.test;
    expect(Array.isArray(test)).toBe(true);
    expect(test).toContain('$$SYS/#');
    expect(interpolateCompose('$$SYS/#')).toBe('$SYS/#');
  });

  it('runs NATS with JetStream and a monitoring-port healthcheck', () => {
    const nats = composeService(compose, 'nats');
    expect(nats.image).toMatch(/^nats:2/);
    const command = Array.isArray(nats.command) ? nats.command : [nats.command ?? ''];
    expect(command).toEqual(expect.arrayContaining(['-js', '-sd', '/data', '-m', '8222']));
    expect(healthcheckCommand(compose, 'nats')).toContain(':8222/healthz?js-enabled-only=true');
  });

  it('provisions every ARCHITECTURE.md topic, with .retry and .dlq for the consumed ones', () => {
    const topics = composeService(compose, 'topics');
    expect(topics.image).toBe(`apache/kafka:${kafkaVersion()}`);
    expect(composeDependsOn(topics)).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(composeServiceEnvironment(compose, 'topics')['BOOTSTRAP_SERVER']).toBe('kafka:9092');
    const mount = (topics.volumes ?? []).find(
      (v): v is string => typeof v === 'string' && v.startsWith('./docker/topics.sh:'),
    );
    expect(mount).toBeDefined();
    const target = mount!.split(':')[1];
    expect(Array.isArray(topics.entrypoint) ? topics.entrypoint : []).toContain(target);

    const names = topicTable().map((line) => line.split(/\s+/)[0]);
    const expected = [
      ...CONSUMED_TOPICS.flatMap((topic) => [topic, `${topic}.retry`, `${topic}.dlq`]),
      ...OTHER_TOPICS,
    ];
    expect([...names].sort()).toEqual(expected.sort());
  });

  it('creates the topics of docker/topics.sh exactly as TOPIC_SETTINGS in @streamline/contracts', () => {
    // On a mismatch, the expected lines below are the new table for docker/topics.sh.
    const expected = topicSettings(1).map(
      (settings) =>
        `${settings.name} ${settings.partitions} ${settings.configEntries
          .filter((entry) => entry.name !== 'min.insync.replicas')
          .map((entry) => `${entry.name}=${entry.value}`)
          .join(',')}`,
    );
    const actual = topicTable().map((line) => line.split(/\s+/).join(' '));
    expect(actual).toEqual(expected);
    // The script adds min.insync.replicas = min(2, replication factor), as topicSettings does.
    for (const replicationFactor of [1, 3]) {
      for (const settings of topicSettings(replicationFactor)) {
        expect(settings.configEntries).toContainEqual({
          name: 'min.insync.replicas',
          value: String(Math.min(2, replicationFactor)),
        });
      }
    }
    const script = readFileSync(path.join(ROOT, 'docker/topics.sh'), 'utf8');
    expect(script).toContain(
      'MIN_INSYNC_REPLICAS=$((TOPIC_REPLICATION_FACTOR < 2 ? TOPIC_REPLICATION_FACTOR : 2))',
    );
    expect(script).toContain('min.insync.replicas=$MIN_INSYNC_REPLICAS');
    expect(script).toContain('--if-not-exists');
  });
});

describe('Dockerfile', () => {
  const dockerfile = () => readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

  it('builds on and runs node:20-bookworm-slim, one service per SERVICE build arg', () => {
    const text = dockerfile();
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(text.match(/^FROM \$\{NODE_IMAGE\} AS \S+$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^ARG SERVICE$/m);
    expect(text).toContain('npx nx build "$SERVICE"');
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n?.*\/health\/ready/m);
    expect(text).toMatch(/^CMD \["node", "main\.js"\]$/m);
  });

  it('keeps local installs, outputs and caches out of the build context', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    for (const entry of [
      '**/node_modules',
      'dist',
      'infra/.cache',
      'infra/.data',
      '.nx',
      'coverage',
      '.git',
    ]) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('compose helpers', () => {
  it('normalises list and map environments alike', () => {
    const variables = { FROM_SHELL: 'shell' };
    const list = composeMapping(
      ['A=1', 'B=x=y', 'EMPTY=', 'FROM_SHELL', 'UNSET', 'LEVEL=${LOG_LEVEL:-info}'],
      { variables },
    );
    const map = composeMapping(
      { A: 1, B: 'x=y', EMPTY: '', FROM_SHELL: null, UNSET: null, LEVEL: '${LOG_LEVEL:-info}' },
      { variables },
    );
    const expected = { A: '1', B: 'x=y', EMPTY: '', FROM_SHELL: 'shell', LEVEL: 'info' };
    expect(list).toEqual(expected);
    expect(map).toEqual(expected);
    expect(composeMapping({ ON: true, OFF: false, N: 3.5 })).toEqual({
      ON: 'true',
      OFF: 'false',
      N: '3.5',
    });
    expect(composeMapping(['X=${Y}'], { interpolate: false })).toEqual({ X: '${Y}' });
    expect(composeMapping(undefined)).toEqual({});
  });

  it('interpolates like Compose', () => {
    const v = { SET: 'v', EMPTY: '' };
    expect(interpolateCompose('a$$b', v)).toBe('a$b');
    expect(interpolateCompose('$SET-${SET}', v)).toBe('v-v');
    expect(interpolateCompose('${NOPE}', v)).toBe('');
    expect(interpolateCompose('${EMPTY:-d} ${EMPTY-d} ${NOPE-d}', v)).toBe('d  d');
    expect(interpolateCompose('${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt}', v)).toBe('alt  alt');
    expect(interpolateCompose('${NOPE:-${ALSO:-deep}}', v)).toBe('deep');
    expect(interpolateCompose('${SET:?needed}', v)).toBe('v');
    expect(() => interpolateCompose('${EMPTY:?needed}', v)).toThrow(/EMPTY.*needed/);
    expect(() => interpolateCompose('${NOPE?needed}', v)).toThrow(/NOPE/);
    expect(() => interpolateCompose('${unterminated', v)).toThrow(/unterminated/);
  });

  it('reads both port syntaxes', () => {
    const ports = composePublishedPorts(
      {
        ports: [
          '3001:3001',
          '${PG:-5432}:5432',
          '127.0.0.1:8080:80/udp',
          '[::1]:9000:9000',
          '7000-7001:8000-8001',
          '6000',
          4000,
          { target: 80, published: '8081', protocol: 'tcp' },
        ],
      },
      { variables: { PG: '15432' } },
    );
    expect(ports).toEqual([
      { target: 3001, published: 3001, protocol: 'tcp', hostIp: undefined },
      { target: 5432, published: 15432, protocol: 'tcp', hostIp: undefined },
      { target: 80, published: 8080, protocol: 'udp', hostIp: '127.0.0.1' },
      { target: 9000, published: 9000, protocol: 'tcp', hostIp: '::1' },
      { target: 8000, published: 7000, protocol: 'tcp', hostIp: undefined },
      { target: 8001, published: 7001, protocol: 'tcp', hostIp: undefined },
      { target: 6000, published: undefined, protocol: 'tcp', hostIp: undefined },
      { target: 4000, published: undefined, protocol: 'tcp', hostIp: undefined },
      { target: 80, published: 8081, protocol: 'tcp', hostIp: undefined },
    ]);
    expect(() => composePublishedPorts({ ports: ['x:80'] })).toThrow(/invalid host port/);
  });

  it('maps the short depends_on syntax to entries without a condition', () => {
    expect(composeDependsOn({ depends_on: ['a', 'b'] })).toEqual({ a: {}, b: {} });
    expect(composeDependsOn({})).toEqual({});
  });

  describe('loadComposeFile', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'compose-file-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const write = (text: string) => {
      const file = path.join(dir, 'compose.yml');
      writeFileSync(file, text);
      return file;
    };

    it('resolves anchors and merge keys', () => {
      const compose = loadComposeFile(
        write(
          [
            'x-env: &env',
            '  A: "1"',
            'services:',
            '  one:',
            '    image: busybox',
            '    environment:',
            '      <<: *env',
            '      B: "2"',
            '  two:',
            '    image: busybox',
            '    environment: ["C=3"]',
          ].join('\n'),
        ),
      );
      expect(composeServiceEnvironment(compose, 'one')).toEqual({ A: '1', B: '2' });
      expect(composeServiceEnvironment(compose, 'two')).toEqual({ C: '3' });
      expect(() => composeServiceEnvironment(compose, 'three')).toThrow(
        /no service "three".*one, two/,
      );
    });

    it('rejects invalid YAML and files without services', () => {
      expect(() => loadComposeFile(write('services: [unclosed'))).toThrow(/invalid YAML/);
      expect(() => loadComposeFile(write('name: x\n'))).toThrow(/"services" is missing/);
      expect(() => loadComposeFile(write('services:\n  a: 1\n'))).toThrow(
        /service "a" is not a map/,
      );
    });
  });
});
