import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '@streamline/testing';
import { freePort } from './ingestor-process';

const ROOT = resolve(__dirname, '../../../..');
/** The project's broker settings (queue limits, persistence): what this test must hold against. */
const PROJECT_CONFIG = join(ROOT, 'docker/mosquitto/mosquitto.conf');

/**
 * A Mosquitto of the test's own, run with the project's docker/mosquitto/mosquitto.conf (its
 * queue limits and persistence), adapted to a free port on 127.0.0.1, a temp data folder and a
 * log file: the guarantee under test then depends on the project's configuration, not on how
 * the machine's shared broker happens to be set up.
 */
export class PrivateMosquitto {
  private process: ChildProcess | undefined;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateMosquitto> {
    const dir = await mkdtemp(join(tmpdir(), 'private-mosquitto-'));
    // Started as root, Mosquitto drops to its own user, which must write its data and log here.
    await chmod(dir, 0o777);
    const broker = new PrivateMosquitto(dir, await freePort());
    await writeFile(
      join(dir, 'mosquitto.conf'),
      adapt(await readFile(PROJECT_CONFIG, 'utf8'), dir, broker.port),
    );
    await broker.launch();
    return broker;
  }

  private async launch(): Promise<void> {
    this.process = spawn('mosquitto', ['-c', join(this.dir, 'mosquitto.conf')], {
      cwd: this.dir,
      stdio: 'ignore',
    });
    await waitFor(
      async () => {
        if (this.process?.exitCode !== null) {
          throw new Error(`private Mosquitto exited; see ${this.dir}/mosquitto.log`);
        }
        return (await accepts(this.port)) ? true : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: `private Mosquitto on port ${this.port}` },
    );
  }

  /** How many times `clientId` connected (Mosquitto logs each connect with the client id). */
  async connectionsOf(clientId: string): Promise<number> {
    const log = await readFile(join(this.dir, 'mosquitto.log'), 'utf8').catch(() => '');
    return log.split('\n').filter((line) => line.includes(` as ${clientId} `)).length;
  }

  /** Stops the broker and deletes its data. */
  async destroy(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The project's configuration with the listener, data folder and log pointed at this test's own. */
function adapt(config: string, dir: string, port: number): string {
  const kept = config
    .split('\n')
    .filter((line) => !/^\s*(listener|persistence_location|log_dest)\b/.test(line));
  return [
    ...kept,
    `listener ${port} 127.0.0.1`,
    `persistence_location ${dir}/`,
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    '',
  ].join('\n');
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
