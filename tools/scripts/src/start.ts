/**
 * `npm start`: brings up the infrastructure, builds and starts the five services from
 * their build output, waits until each is ready, prints the URLs and runs the demo
 * traffic simulator. Ctrl-C stops the simulator, then the services (SIGTERM, graceful),
 * then the Kafka broker if this script started it.
 *
 *   npm start -- [--keep-infra] [simulator options, e.g. --rate 200 --devices 50]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const LOG_DIR = resolve(ROOT, 'tmp/logs');
const SERVICES = [
  { name: 'iot-ingestor', port: 3001 },
  { name: 'event-producer', port: 3002 },
  { name: 'aggregator', port: 3003 },
  { name: 'dlq-handler', port: 3004 },
  { name: 'cdc-sink', port: 3005 },
] as const;

const args = process.argv.slice(2);
const keepInfra = args.includes('--keep-infra');
const simulatorArgs = args.filter((arg) => arg !== '--keep-infra');

function say(message: string): void {
  console.log(`[start] ${message}`);
}

function run(command: string, commandArgs: string[]): void {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    say(
      `'${command} ${commandArgs.join(' ')}' failed (exit ${result.status ?? result.signal}); stopping.`,
    );
    process.exit(1);
  }
}

function kafkaWasUp(): boolean {
  const status = spawnSync('bash', ['infra/infra.sh', 'status'], { cwd: ROOT, encoding: 'utf8' });
  return /^kafka\s.*\bup\b/m.test(status.stdout ?? '');
}

async function waitReady(port: number, child: ChildProcess, timeoutMs = 90_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 500));
  }
  return false;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((done) => child.once('exit', (code) => done(code)));
}

async function main(): Promise<void> {
  const startedKafka = !kafkaWasUp();
  run('bash', ['infra/infra.sh', 'up']);
  say('building the five services (cached after the first time)…');
  run('npx', [
    'nx',
    'run-many',
    '-t',
    'build',
    '-p',
    ...SERVICES.map((s) => s.name),
    '--output-style=static',
  ]);

  mkdirSync(LOG_DIR, { recursive: true });
  const services = SERVICES.map((service) => {
    const log = createWriteStream(resolve(LOG_DIR, `${service.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [resolve(ROOT, 'dist/apps', service.name, 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(service.port), NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return { ...service, child };
  });

  const running: { simulator?: ChildProcess } = {};
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping: simulator, then services (graceful), then infrastructure…');
    const { simulator } = running;
    if (simulator && simulator.exitCode === null) {
      simulator.kill('SIGINT');
      await exitOf(simulator);
    }
    for (const service of services)
      if (service.child.exitCode === null) service.child.kill('SIGTERM');
    const codes = await Promise.all(services.map((service) => exitOf(service.child)));
    services.forEach((service, i) => say(`${service.name} exited with ${codes[i]}`));
    if (startedKafka && !keepInfra) run('bash', ['infra/infra.sh', 'down']);
    process.exit(codes.every((code) => code === 0) ? 0 : 1);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  const ready = await Promise.all(
    services.map((service) => waitReady(service.port, service.child)),
  );
  services.forEach((service, i) =>
    say(
      `${service.name.padEnd(15)} ${ready[i] ? 'ready' : 'NOT READY'}  http://localhost:${service.port}  ` +
        `(/health/ready /metrics /docs; logs: tmp/logs/${service.name}.log)`,
    ),
  );
  if (!ready.every(Boolean)) {
    say('a service did not become ready; see its log under tmp/logs/.');
    await stop();
    return;
  }

  say('starting the demo traffic simulator (Ctrl-C stops everything)…');
  const simulator = spawn(
    resolve(ROOT, 'node_modules/.bin/tsx'),
    ['--tsconfig', 'tsconfig.base.json', 'tools/simulator/src/main.ts', ...simulatorArgs],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  running.simulator = simulator;
  simulator.once('exit', (code) => {
    if (!stopping) {
      say(`simulator exited with ${code}`);
      void stop();
    }
  });
}

void main();
