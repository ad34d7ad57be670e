import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type TestDatabase } from '@streamline/testing';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';

/**
 * A Postgres cluster of the test's own (initdb in a temp dir, on a free port, trust auth), so an
 * outage test can stop and start it without touching the machine's shared Postgres.
 */
export class PrivatePostgres {
  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'cdc-sink-pg-'));
    const { uid, gid } = await ids();
    chownSync(dir, uid, gid);
    const cluster = new PrivatePostgres(dir, await freePort());
    await cluster.asPostgres(`${BIN}/initdb`, [
      '-D',
      cluster.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
    ]);
    await cluster.resume();
    return cluster;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The `postgres` database of this cluster, as a TestDatabase (dropped with the cluster). */
  database(): TestDatabase {
    return {
      name: 'postgres',
      url: `postgres://postgres@127.0.0.1:${this.port}/postgres`,
      drop: () => Promise.resolve(),
    };
  }

  /** Starts (again) and waits until it accepts connections. */
  async resume(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await this.asPostgres(`${BIN}/pg_ctl`, [
      '-D',
      this.dataDir,
      '-o',
      options,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
  }

  /** Stops at once: open connections are cut, as when a server goes away. */
  async pause(): Promise<void> {
    await this.asPostgres(`${BIN}/pg_ctl`, ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.pause().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async asPostgres(command: string, args: string[]): Promise<void> {
    // initdb and postgres refuse to run as root.
    await run('runuser', ['-u', 'postgres', '--', command, ...args], { cwd: this.dir });
  }
}

async function ids(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
