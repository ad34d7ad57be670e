/**
 * `npm run bench:kafka`: Kafka throughput of the messaging library next to references on the
 * same broker: consuming through the transport vs raw kafkajs eachBatch, and producing through
 * KafkaProducer vs Apache Kafka's ProducerPerformance. Options: --records N (200000),
 * --record-size BYTES (200), --window N (unacknowledged sends at most, 10000), --rounds N (each
 * consume variant runs N times, its best counts; 2), --skip-consume,
 * --skip-produce. Topics are unique and deleted afterwards.
 */
import { runConsumeBench } from './consume-bench';
import { runProduceBench } from './produce-bench';

interface BenchArgs {
  records: number;
  recordBytes: number;
  window: number;
  rounds: number;
  consume: boolean;
  produce: boolean;
  brokers: string[];
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    if (at === -1) return fallback;
    const parsed = Number(argv[at + 1]);
    if (!Number.isInteger(parsed) || parsed <= 0)
      throw new Error(`${name} needs a positive integer`);
    return parsed;
  };
  return {
    records: value('--records', 200_000),
    rounds: value('--rounds', 2),
    recordBytes: value('--record-size', 200),
    window: value('--window', 10_000),
    consume: !argv.includes('--skip-consume'),
    produce: !argv.includes('--skip-produce'),
    brokers: (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(','),
  };
}

interface Row {
  what: string;
  ours: number;
  reference: number;
  referenceName: string;
}

function printTable(rows: readonly Row[]): void {
  const header = ['benchmark', 'ours (records/s)', 'reference', 'reference (records/s)', 'ratio'];
  const lines = rows.map((r) => [
    r.what,
    Math.round(r.ours).toLocaleString('en-US'),
    r.referenceName,
    Math.round(r.reference).toLocaleString('en-US'),
    `${(r.ours / r.reference).toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map((l) => (l[i] as string).length)),
  );
  const format = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(
    `Kafka bench: ${args.records} records of ${args.recordBytes} bytes, brokers ${args.brokers.join(',')}, ${new Date().toISOString()}`,
  );
  const rows: Row[] = [];
  if (args.produce) {
    const produce = await runProduceBench({
      brokers: args.brokers,
      records: args.records,
      recordBytes: args.recordBytes,
    });
    rows.push({
      what: 'produce: KafkaProducer (acks=all, idempotent, linger 5 ms, gzip)',
      ours: produce.producerRecordsPerSec,
      referenceName: 'Java ProducerPerformance, same settings',
      reference: produce.java.recordsPerSec,
    });
    console.log(
      `produce avg latency: KafkaProducer ${produce.producerAvgLatencyMs.toFixed(1)} ms, ProducerPerformance ${produce.java.avgLatencyMs.toFixed(1)} ms`,
    );
  }
  if (args.consume) {
    const consume = await runConsumeBench({
      brokers: args.brokers,
      records: args.records,
      recordBytes: args.recordBytes,
      rounds: args.rounds,
    });
    rows.push({
      what: 'consume: transport (ContractConsumer, validation on)',
      ours: consume.transportRecordsPerSec,
      referenceName: 'raw kafkajs eachBatch, same topic',
      reference: consume.rawEachBatchRecordsPerSec,
    });
    rows.push({
      what: 'consume: transport, validation off (JSON.parse only)',
      ours: consume.transportNoValidationRecordsPerSec,
      referenceName: 'raw kafkajs eachBatch, same topic',
      reference: consume.rawEachBatchRecordsPerSec,
    });
    // A transport hands over parsed values: against a raw loop that parses too.
    rows.push({
      what: 'consume: transport (ContractConsumer, validation on)',
      ours: consume.transportRecordsPerSec,
      referenceName: 'raw kafkajs eachBatch + JSON.parse',
      reference: consume.rawEachBatchParseRecordsPerSec,
    });
    // The floors themselves: what parsing, and parsing + validating, cost a bare loop.
    rows.push({
      what: 'consume: raw kafkajs eachBatch + JSON.parse',
      ours: consume.rawEachBatchParseRecordsPerSec,
      referenceName: 'raw kafkajs eachBatch, same topic',
      reference: consume.rawEachBatchRecordsPerSec,
    });
    rows.push({
      what: 'consume: raw kafkajs eachBatch + parseJson (validation)',
      ours: consume.rawEachBatchValidateRecordsPerSec,
      referenceName: 'raw kafkajs eachBatch, same topic',
      reference: consume.rawEachBatchRecordsPerSec,
    });
    // What the transport adds to the validating loop: ordering, budget, offsets, metrics.
    rows.push({
      what: 'consume: transport (ContractConsumer, validation on)',
      ours: consume.transportRecordsPerSec,
      referenceName: 'raw kafkajs eachBatch + parseJson',
      reference: consume.rawEachBatchValidateRecordsPerSec,
    });
  }
  printTable(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
