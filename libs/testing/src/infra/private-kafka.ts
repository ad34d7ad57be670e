import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from './wait-for';

const ROOT = resolve(__dirname, '../../../..');
const run = promisify(execFile);
/** A small, quick JVM: this broker holds a few test topics and is stopped and started on purpose. */
const JVM = ['-Xmx384m', '-Xms128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * A single-node KRaft Kafka of the test's own, on free ports with its own data directory, so a
 * test can stop and start it (a broker outage) without touching the shared broker others use.
 * Same jars as infra/infra.sh (`infra.sh classpath`).
 */
export class PrivateKafka {
  private process: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    private readonly classpath: string,
    readonly port: number,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** Formats the storage of a new broker (not started yet). */
  static async create(): Promise<PrivateKafka> {
    const dir = await mkdtemp(join(tmpdir(), 'private-kafka-'));
    const { stdout } = await run('bash', ['infra/infra.sh', 'classpath'], { cwd: ROOT });
    const [port, controllerPort] = [await freePort(), await freePort()];
    const kafka = new PrivateKafka(dir, stdout.trim(), port);
    await writeFile(kafka.properties, serverProperties(dir, port, controllerPort));
    // Kafka's Uuid text form: 16 random bytes, base64url without padding.
    const clusterId = randomBytes(16).toString('base64url');
    const format = ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', kafka.properties];
    await run('java', [...JVM, '-cp', kafka.classpath, ...format], { cwd: dir });
    return kafka;
  }

  private get properties(): string {
    return join(this.dir, 'server.properties');
  }

  /** Starts the broker and waits until it answers admin requests. */
  async start(): Promise<void> {
    const out = openSync(join(this.dir, 'kafka.out'), 'a');
    const log4j = `-Dlog4j.configuration=file:${join(ROOT, 'infra/kafka/tools-log4j.properties')}`;
    this.process = spawn(
      'java',
      [...JVM, log4j, '-cp', this.classpath, 'kafka.Kafka', this.properties],
      { cwd: this.dir, stdio: ['ignore', out, out] },
    );
    const admin = new Kafka({
      brokers: this.brokers,
      clientId: 'private-kafka-probe',
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    try {
      await waitFor(
        async () => {
          if (this.process?.exitCode !== null)
            throw new Error(`private Kafka exited; see ${this.dir}/kafka.out`);
          await admin.connect();
          const cluster = await admin.describeCluster();
          return cluster.brokers.length > 0 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: `private Kafka on port ${this.port}` },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Stops the broker (SIGTERM, a clean shutdown; SIGKILL if it hangs) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Freezes the broker (SIGSTOP): connections stay open but nothing answers, as with a hung
   * broker or a network partition; `thaw` (SIGCONT) lets it carry on where it stopped.
   */
  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }

  /** Stops the broker and deletes its data. */
  async destroy(): Promise<void> {
    this.thaw();
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function serverProperties(dir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `log.dirs=${join(dir, 'data')}`,
    'num.network.threads=2',
    'num.io.threads=2',
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'auto.create.topics.enable=false',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}
