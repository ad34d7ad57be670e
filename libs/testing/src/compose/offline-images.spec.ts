import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { composeImageVariable, loadComposeFile } from './compose-file';

const ROOT = path.resolve(__dirname, '../../../..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** `[KEY]=value` pairs of a bash associative array `declare -A NAME=( ... )` in a script. */
function bashTable(file: string, name: string): Record<string, string> {
  const match = new RegExp(`declare -A ${name}=\\(([\\s\\S]*?)\\n\\)`).exec(read(file));
  if (match === null) throw new Error(`no declare -A ${name} in ${file}`);
  const entries = [...match[1].matchAll(/\[([A-Z_]+)\]=("[^"]*"|\S+)/g)];
  return Object.fromEntries(entries.map((m) => [m[1], m[2].replace(/^"|"$/g, '')]));
}

/** The stand-in folder of docker/offline/ for each image variable. */
const STAND_IN_FOLDER: Readonly<Record<string, string>> = {
  KAFKA_IMAGE: 'kafka',
  CONNECT_IMAGE: 'connect',
  POSTGRES_IMAGE: 'postgres',
  MOSQUITTO_IMAGE: 'mosquitto',
  NATS_IMAGE: 'nats',
  NODE_IMAGE: 'node',
};

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  it('builds on and runs NODE_IMAGE (default node:20-bookworm-slim), one service per SERVICE', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM \$\{NODE_IMAGE\} AS \S+$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^ARG SERVICE$/m);
    expect(dockerfile).toContain('npx nx build "$SERVICE"');
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/health\/ready/m);
    expect(dockerfile).toMatch(/^CMD \["node", "main\.js"\]$/m);
  });

  it('builds with the classic builder too: no BuildKit-only syntax, no frontend image to pull', () => {
    expect(dockerfile).not.toMatch(/^# *syntax=/m);
    expect(dockerfile).not.toContain('--mount=');
  });

  it('bundles the tools compose runs from the image', () => {
    expect(dockerfile).toContain('scripts/src/provision-topics');
    expect(dockerfile).toContain('simulator/src/main');
    expect(dockerfile).toContain('COPY --from=build /repo/dist/tools/ ./tools/');
    const compose = loadComposeFile();
    expect(compose.services['simulator'].command).toEqual(['node', 'tools/simulator.js']);
  });

  it('keeps local installs, outputs and caches out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    for (const entry of ['**/node_modules', 'dist', 'infra/.cache', 'infra/.data', '.nx', '.git']) {
      expect(ignored).toContain(entry);
    }
  });
});

describe('docker/offline stand-ins', () => {
  // compose.sh reads the Kafka version from infra/kafka/VERSION, as the compose spec checks.
  const official = Object.fromEntries(
    Object.entries(bashTable('tools/compose/compose.sh', 'OFFICIAL')).map(([k, v]) => [
      k,
      v.replace("$(tr -d '[:space:]' <infra/kafka/VERSION)", read('infra/kafka/VERSION').trim()),
    ]),
  );

  it('has a stand-in recipe for every image variable of the compose file and the Dockerfile', () => {
    const compose = loadComposeFile();
    const fromCompose = Object.values(compose.services)
      .map((service) => composeImageVariable(service.image))
      .filter((v): v is { variable: string; defaultImage: string } => v !== undefined);
    const fromDockerfile = { variable: 'NODE_IMAGE', defaultImage: 'node:20-bookworm-slim' };
    const all = new Map([...fromCompose, fromDockerfile].map((v) => [v.variable, v.defaultImage]));
    // compose.sh tries to pull exactly these official images before building a stand-in.
    expect(official).toEqual(Object.fromEntries(all));
    for (const variable of all.keys()) {
      const folder = STAND_IN_FOLDER[variable];
      expect({ variable, folder }).toEqual({ variable, folder: expect.any(String) });
      expect(existsSync(path.join(ROOT, 'docker/offline', folder, 'Dockerfile'))).toBe(true);
      expect(read('docker/offline/build.sh')).toContain(variable);
    }
  });

  it('keeps the official configuration interface the compose file relies on', () => {
    const kafka = read('docker/offline/kafka/Dockerfile') + read('docker/offline/kafka/run');
    expect(kafka).toContain('/opt/kafka/bin/');
    expect(kafka).toContain('CLUSTER_ID');
    expect(
      existsSync(path.join(ROOT, 'docker/offline/kafka/bin/kafka-broker-api-versions.sh')),
    ).toBe(true);
    const connect = read('docker/offline/connect/docker-entrypoint.sh');
    for (const variable of ['BOOTSTRAP_SERVERS', 'GROUP_ID', 'CONFIG_STORAGE_TOPIC', 'CONNECT_']) {
      expect(connect).toContain(variable);
    }
    const postgres = read('docker/offline/postgres/docker-entrypoint.sh');
    for (const variable of ['POSTGRES_PASSWORD', 'POSTGRES_USER', 'POSTGRES_DB']) {
      expect(postgres).toContain(variable);
    }
    expect(read('docker/offline/mosquitto/Dockerfile')).toContain(
      '/mosquitto/config/mosquitto.conf',
    );
    expect(read('docker/offline/nats/Dockerfile')).toContain('wget');
  });

  it('takes Kafka, Connect and Debezium from the poms of the local infrastructure (one version)', () => {
    const build = read('docker/offline/build.sh');
    expect(build).toContain('infra/kafka/pom.xml');
    expect(build).toContain('infra/kafka/VERSION');
    expect(build).toContain('infra/connect/pom.xml');
    expect(read('infra/connect/pom.xml')).toContain('debezium-connector-postgres');
    expect(existsSync(path.join(ROOT, 'docker/offline/connect/pom.xml'))).toBe(false);
  });
});
