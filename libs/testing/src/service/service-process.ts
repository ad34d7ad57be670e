import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../infra/private-kafka';
import { waitFor } from '../infra/wait-for';

const WORKSPACE = resolve(__dirname, '../../../..');

/** A service's real `main.ts` in a child process (so a test can SIGKILL it), logs in a temp file. */
export interface ServiceProcess {
  baseUrl: string;
  logFile: string;
  /** Resolves with the exit code or signal once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  pid: number | undefined;
  /** Waits for `/health/ready` 200; a timeout names the log file. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** The value of a counter or gauge (summed over its label sets) from /metrics. */
  metric(name: string): Promise<number>;
  /** SIGKILL: no shutdown hook runs. The log file goes. */
  kill9(): Promise<void>;
  /** SIGTERM, the graceful shutdown. The log file is kept only if it did not exit 0. */
  stop(): Promise<void>;
}

/**
 * Starts `apps/<service>/src/main.ts` with ts-node in transpile-only mode (it keeps Nest's
 * decorator metadata; tsx would not) and tsconfig-paths for the `@streamline/*` aliases.
 */
export async function startServiceProcess(
  service: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = await freePort();
  const logFile = join(tmpdir(), `${service}-${port}-${Date.now()}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register', `apps/${service}/src/main.ts`],
    {
      cwd: WORKSPACE,
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
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    baseUrl,
    logFile,
    exited,
    waitReady: (timeoutMs = 60_000) =>
      waitFor(
        async () => {
          if (!running()) throw new Error(`${service} exited; see ${logFile}`);
          const response = await fetch(`${baseUrl}/health/ready`);
          return response.ok ? true : undefined;
        },
        { timeoutMs, what: `${service} ready (log ${logFile})` },
      ).then(() => undefined),
    pid: child.pid,
    metric: async (name) => {
      const text = await (await fetch(`${baseUrl}/metrics`)).text();
      const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
      return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
    },
    kill9: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
      await rm(logFile, { force: true });
    },
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      const { code } = await exited;
      if (code === 0) await rm(logFile, { force: true });
    },
  };
}
