import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');

/** The summary Apache Kafka's ProducerPerformance prints when it is done. */
export interface ProducerPerformanceResult {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

const SUMMARY =
  /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency/;

/** Reads the last summary line of ProducerPerformance's output (the progress lines look alike). */
export function parseProducerPerformance(output: string): ProducerPerformanceResult {
  const summaries = output
    .split('\n')
    .map((line) => SUMMARY.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null);
  const last = summaries[summaries.length - 1];
  if (last === undefined) throw new Error(`no ProducerPerformance summary in:\n${output}`);
  const [, records, recordsPerSec, mbPerSec, avg, max] = last.map(Number);
  return {
    records: records as number,
    recordsPerSec: recordsPerSec as number,
    mbPerSec: mbPerSec as number,
    avgLatencyMs: avg as number,
    maxLatencyMs: max as number,
  };
}

/**
 * Runs Apache Kafka's own producer benchmark (`infra.sh run-class`, full JIT) with the settings
 * KafkaProducer uses: acks=all, idempotence, linger 5 ms, gzip.
 */
export function runProducerPerformance(options: {
  brokers: string[];
  topic: string;
  records: number;
  recordBytes: number;
}): Promise<ProducerPerformanceResult> {
  const args = [
    'infra/infra.sh',
    'run-class',
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--record-size',
    String(options.recordBytes),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${options.brokers.join(',')}`,
    'acks=all',
    'enable.idempotence=true',
    'linger.ms=5',
    'compression.type=gzip',
  ];
  return new Promise((done, fail) => {
    const child = spawn('bash', args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`ProducerPerformance exited ${code}: ${stderr}`));
      try {
        done(parseProducerPerformance(stdout));
      } catch (error) {
        fail(error);
      }
    });
  });
}
