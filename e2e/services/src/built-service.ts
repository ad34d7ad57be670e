import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const DIST = resolve(__dirname, '../../../dist/apps');

/** A service started from its build output (`node dist/apps/<name>/main.js`), as production runs it. */
export interface BuiltService {
  child: ChildProcess;
  port: number;
  /** Everything the process wrote to stdout, one log line per entry. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export function startBuiltService(
  name: string,
  env: Record<string, string>,
  port: number,
): BuiltService {
  const child = spawn(process.execPath, [resolve(DIST, name, 'main.js')], {
    env: {
      PATH: process.env['PATH'] ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
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
    (resolveExit) =>
      child.once('exit', (code, signal) => resolveExit({ code, signal, atMs: Date.now() })),
  );
  return { child, port, lines, exited };
}
