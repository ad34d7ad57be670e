import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TOPICS } from '@streamline/contracts';
import {
  composeBuildArgs,
  composeDependsOn,
  composeImageVariable,
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
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** The services and HTTP ports of ARCHITECTURE.md ("Services"). */
const APP_PORTS: Readonly<Record<string, number>> = {
  'iot-ingestor': 3001,
  'event-producer': 3002,
  aggregator: 3003,
  'dlq-handler': 3004,
  'cdc-sink': 3005,
};
const APPS = Object.keys(APP_PORTS);

/** ARCHITECTURE.md ("Deployment"): the usual host port of every component. */
const USUAL_PORTS: Readonly<Record<string, number>> = {
  kafka: 9092,
  postgres: 5432,
  mosquitto: 1883,
  nats: 4222,
  connect: 8083,
  ...APP_PORTS,
};

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

const kafkaVersion = () => read('infra/kafka/VERSION').trim();
const debeziumVersion = () => {
  const match = /<debezium\.version>([^<]+)<\/debezium\.version>/.exec(
    read('infra/connect/pom.xml'),
  );
  if (match === null) throw new Error('no <debezium.version> in infra/connect/pom.xml');
  return match[1];
};

/** The default of `PORT: portVar(N)` in apps/<app>/src/config/<app>.config.ts. */
function schemaDefaultPort(app: string): number {
  const match = /PORT:\s*portVar\((\d+)\)/.exec(read(`apps/${app}/src/config/${app}.config.ts`));
  if (match === null) throw new Error(`no PORT: portVar(N) in ${app}'s config schema`);
  return Number(match[1]);
}

/** The healthcheck command as one string (exec form joined with spaces). */
function healthcheckCommand(compose: ComposeFile, name: string): string {
  const test = composeService(compose, name).healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

/** `[KEY]=value` pairs of a bash associative array `declare -A NAME=( ... )` in a script. */
function bashTable(file: string, name: string): Record<string, string> {
  const match = new RegExp(`declare -A ${name}=\\(([\\s\\S]*?)\\n\\)`).exec(read(file));
  if (match === null) throw new Error(`no declare -A ${name} in ${file}`);
  const entries = [...match[1].matchAll(/\[([A-Z_]+)\]=("[^"]*"|\S+)/g)];
  return Object.fromEntries(entries.map((m) => [m[1], m[2].replace(/^"|"$/g, '')]));
}

describe('docker-compose.yml', () => {
  let compose: ComposeFile;

  beforeAll(() => {
    compose = loadComposeFile();
  });

  it('is found at the repository root by default and runs the whole suite', () => {
    expect(DEFAULT_COMPOSE_FILE).toBe(path.join(ROOT, 'docker-compose.yml'));
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        ...APPS,
        ...['kafka', 'topics', 'postgres', 'mosquitto', 'nats', 'connect', 'connector'],
        'simulator',
      ].sort(),
    );
    expect(composeService(compose, 'simulator')['profiles']).toEqual(['simulator']);
  });

  it('uses only what Compose 1.29 and v2 both accept at the top level', () => {
    // 1.29 rejects `name:` and `include:`; v2 warns about `version:`.
    expect(Object.keys(compose).filter((key) => !key.startsWith('x-'))).toEqual([
      'services',
      'volumes',
    ]);
  });

  it('has two one-shot jobs, topics and connector, that never restart', () => {
    expect(composeOneShotServices(compose)).toEqual(['connector', 'topics']);
    for (const name of ['connector', 'topics']) {
      expect(composeService(compose, name).restart).toBe('no');
    }
    // Nothing waits for the connector: compose:e2e checks its exit code.
    const waitsForConnector = Object.values(compose.services).some(
      (service) => 'connector' in composeDependsOn(service),
    );
    expect(waitsForConnector).toBe(false);
  });

  it('gives every service except the one-shot jobs a healthcheck with a test', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (['topics', 'connector'].includes(name)) continue;
      const test = service.healthcheck?.test;
      expect({ name, disabled: service.healthcheck?.disable ?? false, hasTest: !!test }).toEqual({
        name,
        disabled: false,
        hasTest: true,
      });
      if (Array.isArray(test)) expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
    }
  });

  it('uses a condition on every depends_on, and only health of services that have a check', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, list: Array.isArray(service.depends_on) }).toEqual({ name, list: false });
      for (const [dependency, spec] of Object.entries(composeDependsOn(service))) {
        expect({ name, dependency, condition: spec.condition }).toEqual({
          name,
          dependency,
          condition: expect.stringMatching(/^service_(healthy|completed_successfully)$/),
        });
        if (spec.condition === 'service_healthy') {
          expect(composeService(compose, dependency).healthcheck?.test).toBeDefined();
        }
      }
    }
  });

  it('starts each app after the topics job and once the brokers/database it uses are healthy', () => {
    for (const app of APPS) {
      const expected: Record<string, { condition: string }> = {
        topics: { condition: 'service_completed_successfully' },
      };
      for (const dependency of APP_DEPENDENCIES[app]) {
        expected[dependency] = { condition: 'service_healthy' };
      }
      expect({ app, dependencies: composeDependsOn(composeService(compose, app)) }).toEqual({
        app,
        dependencies: expected,
      });
    }
  });

  it('names every third-party image by a variable whose default is the official image', () => {
    const images = Object.fromEntries(
      Object.entries(compose.services).map(([name, s]) => [name, s.image ?? '']),
    );
    expect(composeImageVariable(images['kafka'])).toEqual({
      variable: 'KAFKA_IMAGE',
      defaultImage: `apache/kafka:${kafkaVersion()}`,
    });
    expect(composeImageVariable(images['connect'])).toEqual({
      variable: 'CONNECT_IMAGE',
      defaultImage: `quay.io/debezium/connect:${debeziumVersion()}`,
    });
    expect(images['connector']).toBe(images['connect']);
    expect(composeImageVariable(images['postgres'])).toEqual({
      variable: 'POSTGRES_IMAGE',
      defaultImage: 'postgres:15',
    });
    expect(composeImageVariable(images['mosquitto'])).toEqual({
      variable: 'MOSQUITTO_IMAGE',
      defaultImage: 'eclipse-mosquitto:2',
    });
    expect(composeImageVariable(images['nats'])).toEqual({
      variable: 'NATS_IMAGE',
      defaultImage: 'nats:2-alpine',
    });
    // The rest are the project's own images, built here.
    for (const [name, image] of Object.entries(images)) {
      if (composeImageVariable(image) === undefined) {
        expect({ name, image }).toEqual({ name, image: expect.stringMatching(/^streamline\//) });
        expect({ name, build: composeService(compose, name).build !== undefined }).toEqual({
          name,
          build: true,
        });
      }
    }
  });

  it('publishes every port on 127.0.0.1 only, at its usual number plus the offset', () => {
    const offset = 20_000;
    const variables = Object.fromEntries(
      Object.entries(bashTable('tools/compose/compose.sh', 'PORTS')).map(([k, v]) => [
        k,
        String(Number(v) + offset),
      ]),
    );
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of composePublishedPorts(service)) {
        expect({ name, hostIp: port.hostIp }).toEqual({ name, hostIp: '127.0.0.1' });
      }
      const usual = USUAL_PORTS[name];
      if (usual === undefined) continue;
      const published = composePublishedPorts(service).map((p) => p.published);
      expect({ name, published }).toEqual({ name, published: expect.arrayContaining([usual]) });
      const shifted = composePublishedPorts(service, { variables }).map((p) => p.published);
      expect({ name, shifted }).toEqual({
        name,
        shifted: expect.arrayContaining([usual + offset]),
      });
    }
  });

  it('publishes every app on its ARCHITECTURE.md port, the port its config schema defaults to', () => {
    for (const app of APPS) {
      const port = APP_PORTS[app];
      expect({ app, port: schemaDefaultPort(app) }).toEqual({ app, port });
      expect(composePublishedPorts(composeService(compose, app))).toEqual([
        { target: port, published: port, protocol: 'tcp', hostIp: '127.0.0.1' },
      ]);
      expect(composeServiceEnvironment(compose, app)['PORT']).toBe(String(port));
      expect(healthcheckCommand(compose, app)).toContain(`http://127.0.0.1:${port}/health/ready`);
    }
  });

  it('builds every app from the one Dockerfile with its SERVICE, PORT and NODE_IMAGE', () => {
    for (const app of APPS) {
      const service = composeService(compose, app);
      expect(service.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
      expect(service.image).toBe(`streamline/${app}:local`);
      expect(composeBuildArgs(compose, app)).toEqual({
        SERVICE: app,
        PORT: String(APP_PORTS[app]),
        NODE_IMAGE: 'node:20-bookworm-slim',
      });
      expect(service.restart).toBe('unless-stopped');
      expect(service.stop_grace_period).toBe('15s');
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
      const uses = Object.keys(DEPENDENCY_OF_VARIABLE).filter((key) => key in env);
      expect({ app, uses: uses.map((key) => DEPENDENCY_OF_VARIABLE[key]).sort() }).toEqual({
        app,
        uses: [...APP_DEPENDENCIES[app]].sort(),
      });
      if ('KAFKA_BROKERS' in env) expect(env['KAFKA_BROKERS']).toBe('kafka:9092');
      if ('NATS_URL' in env) expect(env['NATS_URL']).toBe('nats://nats:4222');
      if ('MQTT_URL' in env) expect(env['MQTT_URL']).toBe('mqtt://mosquitto:1883');
      if ('DATABASE_URL' in env) {
        expect(env['DATABASE_URL']).toBe('postgres://postgres:streamline@postgres:5432/streamline');
        const withPassword = composeServiceEnvironment(compose, app, {
          variables: { POSTGRES_PASSWORD: 's3cret' },
        });
        expect(withPassword['DATABASE_URL']).toBe(
          'postgres://postgres:s3cret@postgres:5432/streamline',
        );
      }
    }
    expect(composeServiceEnvironment(compose, 'iot-ingestor')['MQTT_CLIENT_ID']).toMatch(
      /^iot-ingestor-/,
    );
  });

  it('runs Kafka in KRaft combined mode, advertising 127.0.0.1:<published port> to the host', () => {
    const variables = { KAFKA_HOST_PORT: '29092' };
    const env = composeServiceEnvironment(compose, 'kafka', { variables });
    expect(env).toMatchObject({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
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
        const [name, address] = l.split('://');
        return [name, address] as const;
      }),
    );
    const internal = env['KAFKA_INTER_BROKER_LISTENER_NAME'];
    expect(advertised.get(internal)).toBe('kafka:9092');
    expect(listeners.get(internal)).toBe(9092);
    expect(advertised.has('CONTROLLER')).toBe(false);
    const external = [...advertised].find(([, address]) => address === '127.0.0.1:29092');
    expect(external).toBeDefined();
    expect(composePublishedPorts(composeService(compose, 'kafka'), { variables })).toEqual([
      {
        target: listeners.get(external![0]),
        published: 29092,
        protocol: 'tcp',
        hostIp: '127.0.0.1',
      },
    ]);
    expect(healthcheckCommand(compose, 'kafka')).toContain(
      'kafka-broker-api-versions.sh --bootstrap-server localhost:9092',
    );
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

  it("spools the ingestor's readings on a named volume the service can write", () => {
    const ingestor = composeService(compose, 'iot-ingestor');
    const spoolDir = composeServiceEnvironment(compose, 'iot-ingestor')['SPOOL_DIR'] ?? '';
    const mounts = (ingestor.volumes ?? []).filter((v): v is string => typeof v === 'string');
    const onVolume = mounts.some((mount) => {
      const [source, target] = mount.split(':') as [string, string];
      return (
        Object.keys(compose.volumes ?? {}).includes(source) && spoolDir.startsWith(`${target}/`)
      );
    });
    // The image's default (./tmp under /app) is not writable by its `node` user: a crash loop.
    expect({ spoolDir, onVolume }).toEqual({
      spoolDir: expect.stringMatching(/^\//),
      onVolume: true,
    });
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

  it('runs Postgres with logical decoding, a password and the streamline database', () => {
    const postgres = composeService(compose, 'postgres');
    const command = Array.isArray(postgres.command) ? postgres.command.join(' ') : postgres.command;
    expect(command).toMatch(/^postgres .*-c wal_level=logical/);
    expect(composeServiceEnvironment(compose, 'postgres')).toEqual({
      POSTGRES_DB: 'streamline',
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: 'streamline',
    });
    expect(healthcheckCommand(compose, 'postgres')).toContain('pg_isready');
  });

  it('runs Mosquitto with the repository config (queue limits) and a real MQTT healthcheck', () => {
    const mosquitto = composeService(compose, 'mosquitto');
    expect(mosquitto.volumes).toContain(
      './docker/mosquitto/mosquitto.conf:/mosquitto/config/mosquitto.conf:ro',
    );
    const conf = read('docker/mosquitto/mosquitto.conf');
    expect(conf).toMatch(/^listener 1883$/m);
    expect(conf).toMatch(/^persistence true$/m);
    expect(conf).toMatch(/^max_queued_messages [1-9]\d*$/m);
    // `$SYS` must be written `$$SYS` in a compose file, or Compose interpolates it away.
    expect(mosquitto.healthcheck?.test).toContain('$$SYS/#');
    expect(interpolateCompose('$$SYS/#')).toBe('$SYS/#');
  });

  it('runs NATS with JetStream and a monitoring-port healthcheck', () => {
    const nats = composeService(compose, 'nats');
    expect(nats.command).toEqual(expect.arrayContaining(['-js', '-sd', '/data', '-m', '8222']));
    expect(healthcheckCommand(compose, 'nats')).toContain(':8222/healthz?js-enabled-only=true');
  });

  it('provisions the topics with the contracts library: the project script in the built image', () => {
    const topics = composeService(compose, 'topics');
    expect(topics.image).toBe('streamline/event-producer:local');
    expect(topics.build).toEqual(composeService(compose, 'event-producer').build);
    expect(topics.command).toEqual(['node', 'tools/provision-topics.js']);
    expect(composeServiceEnvironment(compose, 'topics')).toEqual({ KAFKA_BROKERS: 'kafka:9092' });
    expect(composeDependsOn(topics)).toEqual({ kafka: { condition: 'service_healthy' } });
    // One source of truth: the Dockerfile bundles the script that imports TOPIC_SETTINGS.
    expect(read('Dockerfile')).toContain('scripts/src/provision-topics');
    expect(read('tools/scripts/src/provision-topics.ts')).toContain('TOPIC_SETTINGS');
    expect(existsSync(path.join(ROOT, 'docker/topics.sh'))).toBe(false);
  });
});

describe('Kafka Connect and the Debezium connector', () => {
  const compose = loadComposeFile();
  const config = JSON.parse(read('docker/connect/registry-devices.json')) as Record<string, string>;

  it('registers the connector once Connect is healthy and registry.devices exists', () => {
    expect(composeDependsOn(composeService(compose, 'connector'))).toEqual({
      connect: { condition: 'service_healthy' },
      'event-producer': { condition: 'service_healthy' },
    });
    const env = composeServiceEnvironment(compose, 'connector');
    expect(env['CONNECT_URL']).toBe('http://connect:8083');
    expect(read('docker/connect/register-connector.sh')).toContain(
      "-X PUT -H 'Content-Type: application/json'",
    );
  });

  it('captures only registry.devices with pgoutput into cdc.registry.devices', () => {
    expect(config).toMatchObject({
      'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
      'plugin.name': 'pgoutput',
      'database.hostname': 'postgres',
      'database.dbname': 'streamline',
      'topic.prefix': 'cdc',
      'table.include.list': 'registry.devices',
      'publication.autocreate.mode': 'filtered',
      'slot.name': expect.stringMatching(/^streamline_/),
      'publication.name': expect.stringMatching(/^streamline_/),
    });
    // Debezium names the topic <topic.prefix>.<schema>.<table>: the contract's topic.
    expect(`${config['topic.prefix']}.${config['table.include.list']}`).toBe(TOPICS.CDC_DEVICES);
  });

  it('writes JSON without schemas, and creates its topic itself (no broker auto-create)', () => {
    expect(config).toMatchObject({
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': 'false',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'false',
      'topic.creation.default.replication.factor': '1',
      'topic.creation.default.partitions': '1',
    });
    const worker = composeServiceEnvironment(compose, 'connect');
    expect(worker['CONNECT_TOPIC_CREATION_ENABLE']).toBe('true');
    expect(worker['BOOTSTRAP_SERVERS']).toBe('kafka:9092');
  });

  it('keeps the database password out of the stored connector config', () => {
    expect(config['database.password']).toBe('${env:POSTGRES_PASSWORD}');
    const worker = composeServiceEnvironment(compose, 'connect', {
      variables: { POSTGRES_PASSWORD: 's3cret' },
    });
    expect(worker).toMatchObject({
      CONNECT_CONFIG_PROVIDERS: 'env',
      CONNECT_CONFIG_PROVIDERS_ENV_CLASS:
        'org.apache.kafka.common.config.provider.EnvVarConfigProvider',
      POSTGRES_PASSWORD: 's3cret',
    });
  });
});
