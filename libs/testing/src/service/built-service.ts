import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '../infra/private-kafka';
import { waitFor } from '../infra/wait-for';

const DIST = resolve(__dirname, '../../../../dist/apps');

/** A service started from its build output (`node dist/apps/<name>/main.js`), as production runs it. */
export interface BuiltService {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote, one log line per entry (when started with `capture`). */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  /** Waits until each path answers 2xx (default `/health/ready`). */
  waitReady(options?: { paths?: string[]; timeoutMs?: number }): Promise<void>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
}

export interface BuiltServiceOptions {
  /** Default: a free port. */
  port?: number;
  /** `capture` keeps the log lines in `lines` (default); `inherit` passes stderr through (benchmarks). */
  output?: 'capture' | 'inherit';
  /** Default: only the given environment and PATH, as in a container. */
  inheritEnv?: boolean;
}

export async function startBuiltService(
  name: string,
  env: Record<string, string>,
  options: BuiltServiceOptions = {},
): Promise<BuiltService> {
  const bundle = resolve(DIST, name, 'main.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npx nx build ${name}`);
  const port = options.port ?? (await freePort());
  const capture = (options.output ?? 'capture') === 'capture';
  const child = spawn(process.execPath, [bundle], {
    env: {
      ...(options.inheritEnv === true ? process.env : { PATH: process.env['PATH'] ?? '' }),
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', capture ? 'pipe' : 'ignore', capture ? 'pipe' : 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.length > 0));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>(
    (done) => child.once('exit', (code, signal) => done({ code, signal, atMs: Date.now() })),
  );
  const url = `http://127.0.0.1:${port}`;
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    port,
    url,
    lines,
    exited,
    async waitReady({ paths = ['/health/ready'], timeoutMs = 90_000 } = {}) {
      for (const path of paths) {
        await waitFor(
          async () => {
            if (!running()) {
              const tail = lines.slice(-5).join('\n');
              throw new Error(`${name} exited before ${path} answered${tail ? `:\n${tail}` : ''}`);
            }
            return (await fetch(url + path).catch(() => undefined))?.ok ? true : undefined;
          },
          { timeoutMs, what: `${name} ${path}` },
        );
      }
    },
    async stop() {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
  };
}
