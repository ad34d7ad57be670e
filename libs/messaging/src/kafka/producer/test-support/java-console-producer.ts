import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../../../../..');

/**
 * Produces `key:value` lines with Apache Kafka's own Java producer (kafka.tools.ConsoleProducer,
 * acks=all, `parse.key=true`), so tests can compare its partitioning with ours.
 */
export function produceWithJavaClient(
  brokers: string,
  topic: string,
  records: ReadonlyArray<{ key: string; value: string }>,
): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      'bash',
      [
        'infra/infra.sh',
        'run-class',
        'kafka.tools.ConsoleProducer',
        '--bootstrap-server',
        brokers,
        '--topic',
        topic,
        '--property',
        'parse.key=true',
        '--property',
        'key.separator=\t',
        '--producer-property',
        'acks=all',
      ],
      { cwd: REPO_ROOT, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done() : fail(new Error(`ConsoleProducer exited ${code}: ${stderr}`)),
    );
    child.stdin.end(records.map((r) => `${r.key}\t${r.value}\n`).join(''));
  });
}
