import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from '@streamline/testing';

const ROOT = resolve(__dirname, '../../../..');

/** dlq-handler in a child process (its real main.ts through ts-node), so a test can kill -9 it. */
export class ChildService {
  private readonly child: ChildProcess;
  private output = '';

  /** Spawns at once: `kill()` works even while it is still starting. */
  constructor(env: Record<string, string>) {
    this.child = spawn(
      process.execPath,
      ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', 'apps/dlq-handler/src/main.ts'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          TS_NODE_PROJECT: 'apps/dlq-handler/tsconfig.app.json',
          TS_NODE_TRANSPILE_ONLY: 'true',
          LOG_LEVEL: 'info',
          HOST: '127.0.0.1',
          PORT: '0',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Only the start line is needed; the rest is kept short for a failure message.
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  /** The base URL once the service listens. */
  ready(timeoutMs = 150_000): Promise<string> {
    return waitFor(
      () => {
        if (this.child.exitCode !== null)
          throw new Error(`child exited: ${this.output.slice(-2_000)}`);
        return /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*listening/.exec(this.output)?.[1];
      },
      { timeoutMs, intervalMs: 250, what: 'the child dlq-handler to listen' },
    );
  }

  /** kill -9: no shutdown hook runs, connections drop, in-flight work is lost mid-way. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGKILL');
    await exited;
  }
}
