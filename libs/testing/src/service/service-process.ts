import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
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
  /** Waits for `/health/ready` 200; a timeout names the log file. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown hook runs. */
  kill9(): Promise<void>;
  /** SIGTERM, the graceful shutdown. */
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
    kill9: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}
