import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '@streamline/testing';

const ROOT = resolve(__dirname, '../../../..');

/** A free TCP port (nothing listens on it right after this resolves). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * The real iot-ingestor (apps/iot-ingestor/src/main.ts) in a child process, so it can be
 * killed with SIGKILL. ts-node in transpile-only mode keeps Nest's decorator metadata (tsx
 * would not); tsconfig-paths resolves the @streamline/* aliases. Logs go to a temp file.
 */
export class IngestorProcess {
  readonly logFile: string;
  private exited: Promise<void>;
  /** Every process started and not yet exited: `stopAll` ends them whatever a test left. */
  private static readonly running = new Set<IngestorProcess>();

  /** Stops (SIGTERM) every ingestor still running, e.g. in an afterAll after a failed test. */
  static async stopAll(): Promise<void> {
    await Promise.all([...IngestorProcess.running].map((i) => i.stop()));
  }

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
    logFile: string,
  ) {
    this.logFile = logFile;
    this.exited = new Promise((done) => child.once('exit', () => done()));
  }

  /**
   * Starts the service and (unless `waitReady` is false: a restart into a backlog, which keeps
   * it too busy to answer its probes at once) waits for its readiness.
   */
  static async start(
    env: Record<string, string>,
    options: { waitReady?: boolean } = {},
  ): Promise<IngestorProcess> {
    const port = await freePort();
    const logFile = join(tmpdir(), `iot-ingestor-${port}-${Date.now()}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/iot-ingestor/src/main.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TS_NODE_PROJECT: 'tsconfig.base.json',
          TS_NODE_TRANSPILE_ONLY: 'true',
          LOG_LEVEL: 'warn',
          NODE_ENV: 'test',
          ...env,
          HOST: '127.0.0.1',
          PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const ingestor = new IngestorProcess(child, `http://127.0.0.1:${port}`, logFile);
    IngestorProcess.running.add(ingestor);
    void ingestor.exited.then(() => IngestorProcess.running.delete(ingestor));
    if (options.waitReady ?? true) await ingestor.waitReady();
    return ingestor;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Waits until /health/ready answers 200 (fails early if the process died). */
  async waitReady(timeoutMs = 120_000): Promise<void> {
    await waitFor(
      async () => {
        if (this.child.exitCode !== null) {
          throw new Error(`iot-ingestor exited with ${this.child.exitCode}; see ${this.logFile}`);
        }
        const response = await fetch(`${this.baseUrl}/health/ready`);
        return response.ok ? true : undefined;
      },
      { timeoutMs, what: `iot-ingestor ready (log ${this.logFile})` },
    );
  }

  /** The value of a counter or gauge (summed over its label sets) from /metrics. */
  async metric(name: string): Promise<number> {
    const text = await (await fetch(`${this.baseUrl}/metrics`)).text();
    const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
    return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed or acknowledged. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
    await rm(this.logFile, { force: true });
  }

  /** SIGTERM: the graceful shutdown; the log is kept only if it did not end cleanly. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      await this.exited;
    }
    if (this.child.exitCode === 0) await rm(this.logFile, { force: true });
  }
}
