/**
 * `npm run bench:ingest`: the iot-ingestor end to end on this machine. A publisher in a separate
 * process sends QoS 1 telemetry to Mosquitto; the ingestor (its own process, the real service)
 * produces it to Kafka (acks=all); this process reads the topic back. Latency = the Kafka
 * LogAppendTime of a record (the bench topic uses LogAppendTime: the broker's clock when it
 * stored it, i.e. the acknowledgement) minus the publish time written in the reading's `ts`.
 * Measured at fixed rates (default 1 000 and 5 000 readings/s) next to a baseline on the same
 * broker in the same run: Mosquitto relaying the same messages to a plain QoS 1 subscriber.
 * Then the sustained rate: the publisher sends as fast as the ingestor keeps up (closed loop,
 * at most --window messages not yet in Kafka, below Mosquitto's 1 000 queued per session),
 * one reading per message and --batch readings per message (a gateway).
 *
 * Last, the outage row (ingest-outage.ts): --outage-rate readings/s while a private Kafka is
 * frozen (SIGSTOP) for --outage-seconds, then thawed: readings lost, MQTT reconnects, drain time.
 *
 *   npm run bench:ingest -- [--duration S (10)] [--rates 1000,5000] [--batch 10] [--window 500]
 *     [--outage-seconds 90 (0: no outage row)] [--outage-rate 5000]
 *
 * Everything it creates (topics, MQTT sessions, KV bucket) has a unique name and is deleted.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, silentLogger } from '@streamline/messaging';
import { startBuiltService, type BuiltService } from '@streamline/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { connect as connectNats } from 'nats';
import { runOutageRow } from './ingest-outage';

const MQTT_URL = process.env['MQTT_URL'] ?? 'mqtt://localhost:1883';
const NATS_URL = process.env['NATS_URL'] ?? 'nats://localhost:4222';
const BROKERS = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
const DEVICES = 100;

/** One publishing run, sent to the publisher process. */
interface Job {
  kind: 'job';
  topicPrefix: string;
  readingsPerMessage: number;
  durationMs: number;
  startSeq: number;
  /** Readings per second; absent: as fast as the window allows (closed loop). */
  rate?: number;
  /** Messages published and not yet seen at the far end, at most (closed loop). */
  window?: number;
}
type ToPublisher = Job | { kind: 'seen'; messages: number } | { kind: 'exit' };
interface JobDone {
  kind: 'done';
  readings: number;
  acked: number;
}

// ------------------------------------------------------------------ publisher process

async function runPublisher(): Promise<void> {
  const client = await connectAsync(MQTT_URL, {
    clientId: `bench-publisher-${process.pid}`,
    protocolVersion: 5,
    clean: true,
  });
  let seen = 0;
  process.on('message', (message: ToPublisher) => {
    if (message.kind === 'seen') seen = message.messages;
    else if (message.kind === 'exit') void client.endAsync().then(() => process.exit(0));
    else void publishJob(client, message, () => seen).then((done) => process.send?.(done));
  });
  process.send?.({ kind: 'ready' });
}

async function publishJob(client: MqttClient, job: Job, seen: () => number): Promise<JobDone> {
  let seq = job.startSeq;
  let messages = 0;
  let acked = 0;
  let outstanding = 0;
  const started = performance.now();
  while (performance.now() - started < job.durationMs) {
    const elapsed = (performance.now() - started) / 1_000;
    const due =
      job.rate === undefined ? Infinity : Math.floor((elapsed * job.rate) / job.readingsPerMessage);
    const allowed = job.window === undefined ? Infinity : seen() + job.window;
    const n = Math.min(due, allowed, messages + 500) - messages;
    for (let i = 0; i < n; i++) {
      const now = Date.now();
      const readings = Array.from({ length: job.readingsPerMessage }, () => ({
        ts: now,
        seq: seq++,
        metrics: { temperature: 21.5, humidity: 40 },
      }));
      const payload = JSON.stringify(job.readingsPerMessage === 1 ? readings[0] : readings);
      outstanding += 1;
      client.publish(
        `${job.topicPrefix}/sensors/dev-${messages % DEVICES}/telemetry`,
        payload,
        { qos: 1 },
        (error) => {
          outstanding -= 1;
          if (!error) acked += job.readingsPerMessage;
        },
      );
      messages += 1;
    }
    await new Promise((done) => setTimeout(done, 1));
  }
  while (outstanding > 0) await new Promise((done) => setTimeout(done, 5));
  return { kind: 'done', readings: seq - job.startSeq, acked };
}

// ------------------------------------------------------------------ measurement

/** Latencies of the readings of one run, found by their `seq`. */
class Run {
  readonly latencies: number[] = [];
  first = Infinity;
  last = 0;
  duplicates = 0;
  private readonly seen: Uint8Array;

  constructor(
    readonly from: number,
    readonly size: number,
  ) {
    this.seen = new Uint8Array(size);
  }

  add(seq: number, latencyMs: number, at: number): void {
    const i = seq - this.from;
    if (this.seen[i] === 1) {
      this.duplicates += 1;
      return;
    }
    this.seen[i] = 1;
    this.latencies.push(latencyMs);
    this.first = Math.min(this.first, at);
    this.last = Math.max(this.last, at);
  }

  percentile(p: number): number {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  }
}

class Collector {
  private runs: Run[] = [];

  start(from: number, size: number): Run {
    const run = new Run(from, size);
    this.runs.push(run);
    return run;
  }

  add(seq: number, latencyMs: number, at: number): void {
    const run = this.runs.find((r) => seq >= r.from && seq < r.from + r.size);
    run?.add(seq, latencyMs, at);
  }
}

// ------------------------------------------------------------------ the bench

interface Args {
  durationMs: number;
  rates: number[];
  batch: number;
  window: number;
  /** 0: no outage row. */
  outageMs: number;
  outageRate: number;
}

function parseArgs(argv: readonly string[]): Args {
  const option = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at === -1 ? undefined : argv[at + 1];
  };
  const positive = (name: string, fallback: number) => {
    const value = Number(option(name) ?? fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} needs a positive integer`);
    return value;
  };
  const nonNegative = (name: string, fallback: number) => {
    const value = Number(option(name) ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} needs an integer >= 0`);
    return value;
  };
  return {
    durationMs: positive('--duration', 10) * 1_000,
    rates: (option('--rates') ?? '1000,5000').split(',').map(Number),
    batch: positive('--batch', 10),
    window: positive('--window', 500),
    outageMs: nonNegative('--outage-seconds', 90) * 1_000,
    outageRate: positive('--outage-rate', 5_000),
  };
}

/** The production bundle of the ingestor in its own process, ready. */
async function startIngestor(env: Record<string, string>): Promise<BuiltService> {
  const service = await startBuiltService(
    'iot-ingestor',
    { LOG_LEVEL: 'warn', ...env },
    { output: 'inherit', inheritEnv: true },
  );
  await service.waitReady({ timeoutMs: 60_000 });
  return service;
}

function row(cells: Array<string | number>): string {
  return cells.map((c, i) => String(c).padStart(i === 0 ? 34 : 12)).join(' ');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const id = `bench-ingest-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const topic = `${id}.iot.telemetry.v1`;
  const clientId = `${id}-ingestor`;
  const directClientId = `${id}-direct`;
  const spoolDir = join(tmpdir(), `${id}-spool`);
  const kafka = createKafka({ brokers: BROKERS, clientId: id, logger: silentLogger });
  const admin = kafka.admin();
  await admin.connect();
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 6,
          configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
        },
        { topic: `${topic}.dlq`, numPartitions: 1 },
      ],
    });
    cleanups.push(() => admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }));
    cleanups.push(async () => {
      await rm(spoolDir, { recursive: true, force: true });
      for (const session of [
        clientId,
        `${clientId}-status`,
        directClientId,
        `${directClientId}-status`,
      ]) {
        const c = await connectAsync(MQTT_URL, {
          clientId: session,
          protocolVersion: 5,
          clean: true,
          properties: { sessionExpiryInterval: 0 },
        });
        await c.endAsync();
      }
      const nc = await connectNats({ servers: NATS_URL });
      await (await nc.jetstreamManager()).streams.delete(`KV_${id}-presence`).catch(() => false);
      await nc.close();
    });

    // Two ingestors on the same topic, each on its own topic space: the spool on (the default)
    // and off (INGEST_MODE=direct), so one run prints both side by side.
    const ingestorEnv = (mode: 'spool' | 'direct', session: string, path: string) => ({
      INGEST_MODE: mode,
      SPOOL_DIR: spoolDir,
      MQTT_CLIENT_ID: session,
      MQTT_TELEMETRY_FILTER: `$share/${id}-${path}/${id}/${path}/sensors/+/telemetry`,
      MQTT_STATUS_FILTER: `${id}/${path}/sensors/+/status`,
      TELEMETRY_TOPIC: topic,
      PRESENCE_BUCKET: `${id}-presence`,
      KAFKA_BROKERS: BROKERS.join(','),
    });
    const ingestor = await startIngestor(ingestorEnv('spool', clientId, 'kafka'));
    const directIngestor = await startIngestor(ingestorEnv('direct', directClientId, 'direct'));
    for (const running of [ingestor, directIngestor]) {
      cleanups.unshift(async () => {
        await running.stop();
      });
    }

    // The ingestor path: records read back from Kafka.
    const viaKafka = new Collector();
    let kafkaMessages = 0;
    const consumer = kafka.consumer({ groupId: id, maxWaitTimeInMs: 10, minBytes: 1 });
    await consumer.connect();
    cleanups.unshift(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const value = JSON.parse(message.value?.toString() ?? '{}') as {
            ts: number;
            seq: number;
          };
          const appended = Number(message.timestamp);
          viaKafka.add(value.seq, appended - value.ts, appended);
          kafkaMessages += 1;
        }
      },
    });

    // The baseline: Mosquitto relaying to a plain subscriber in this process.
    const viaMosquitto = new Collector();
    let relayed = 0;
    const subscriber = await connectAsync(MQTT_URL, {
      clientId: `${id}-relay`,
      protocolVersion: 5,
      clean: true,
    });
    cleanups.unshift(() => subscriber.endAsync());
    await subscriber.subscribeAsync(`${id}/relay/sensors/+/telemetry`, { qos: 1 });
    subscriber.on('message', (_topic, payload) => {
      const now = Date.now();
      const parsed = JSON.parse(payload.toString()) as
        { ts: number; seq: number } | Array<{ ts: number; seq: number }>;
      for (const r of Array.isArray(parsed) ? parsed : [parsed])
        viaMosquitto.add(r.seq, now - r.ts, now);
      relayed += 1;
    });

    const publisher = fork(__filename, ['--publisher'], { stdio: 'inherit' });
    cleanups.unshift(async () => publisher.send({ kind: 'exit' }));
    await new Promise((done) => publisher.once('message', done));
    let nextSeq = 0;

    const publish = async (
      path: 'kafka' | 'direct' | 'relay',
      job: Omit<Job, 'kind' | 'topicPrefix' | 'startSeq'>,
    ) => {
      const startSeq = nextSeq;
      const maxReadings = Math.ceil(((job.rate ?? 60_000) * job.durationMs) / 1_000) + 1_000_000;
      nextSeq += maxReadings;
      const toKafka = path !== 'relay';
      const run = (toKafka ? viaKafka : viaMosquitto).start(startSeq, maxReadings);
      const seenNow = () => (toKafka ? kafkaMessages / job.readingsPerMessage : relayed);
      const seenAtStart = seenNow();
      publisher.send({ kind: 'seen', messages: 0 });
      const feedback = setInterval(() => {
        publisher.send({ kind: 'seen', messages: Math.floor(seenNow() - seenAtStart) });
      }, 20);
      publisher.send({ ...job, kind: 'job', topicPrefix: `${id}/${path}`, startSeq } satisfies Job);
      const done = await new Promise<JobDone>((ok) =>
        publisher.once('message', (m: JobDone) => ok(m)),
      );
      clearInterval(feedback);
      // Let the tail arrive; what is still missing after this is reported as lost.
      const deadline = Date.now() + 30_000;
      while (run.latencies.length < done.acked && Date.now() < deadline) {
        await new Promise((ok) => setTimeout(ok, 50));
      }
      return { run, done };
    };

    // Warm-up: connections, JIT, the shared subscription's first delivery.
    await publish('kafka', { readingsPerMessage: 1, durationMs: 3_000, rate: 1_000 });
    await publish('direct', { readingsPerMessage: 1, durationMs: 2_000, rate: 1_000 });
    await publish('relay', { readingsPerMessage: 1, durationMs: 1_000, rate: 1_000 });

    const seconds = args.durationMs / 1_000;
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(
      `\niot-ingestor bench ${new Date().toISOString()}: ${seconds} s per run, QoS 1, ${DEVICES} devices, ` +
        `${cpus().length} cores, load average before ${load}\n`,
    );
    console.log(row(['run', 'sent/s', 'stored/s', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'dups']));
    const report = (name: string, result: { run: Run; done: JobDone }, durationMs: number) => {
      const { run, done } = result;
      const window = Math.max(1, run.last - run.first) / 1_000;
      console.log(
        row([
          name,
          Math.round(done.acked / (durationMs / 1_000)),
          Math.round(run.latencies.length / window),
          run.percentile(50),
          run.percentile(99),
          run.percentile(100),
          done.acked - run.latencies.length,
          run.duplicates,
        ]),
      );
    };
    for (const rate of args.rates) {
      const job = { readingsPerMessage: 1, durationMs: args.durationMs, rate };
      report(`mosquitto relay @ ${rate}/s`, await publish('relay', job), args.durationMs);
      report(`ingestor → Kafka @ ${rate}/s`, await publish('kafka', job), args.durationMs);
    }
    const sustained = { durationMs: args.durationMs, window: args.window };
    report(
      'mosquitto relay, max (1/msg)',
      await publish('relay', { ...sustained, readingsPerMessage: 1 }),
      args.durationMs,
    );
    report(
      'ingestor → Kafka, max (1/msg), spool on',
      await publish('kafka', { ...sustained, readingsPerMessage: 1 }),
      args.durationMs,
    );
    report(
      'ingestor → Kafka, max (1/msg), spool off',
      await publish('direct', { ...sustained, readingsPerMessage: 1 }),
      args.durationMs,
    );
    report(
      `ingestor → Kafka, max (${args.batch}/msg)`,
      await publish('kafka', {
        ...sustained,
        readingsPerMessage: args.batch,
        window: Math.ceil(args.window / 2),
      }),
      args.durationMs,
    );
    const metrics = await (await fetch(`${ingestor.url}/metrics`)).text();
    const invalid = /^iot_ingestor_invalid_total\{[^}]*\} (\S+)$/m.exec(metrics)?.[1] ?? '0';
    console.log(
      `\nload average after ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ingestor dead letters: ${invalid}\n` +
        'sent/s: acknowledged by Mosquitto; stored/s: first to last record stored; latency: Kafka\n' +
        'LogAppendTime (relay: receipt) − publish time; lost: acknowledged by Mosquitto, not arrived within 30 s\n',
    );
    if (args.outageMs > 0) {
      await runOutageRow({
        id,
        rate: args.outageRate,
        outageMs: args.outageMs,
        leadMs: 10_000,
        drainTimeoutMs: 600_000,
        natsUrl: NATS_URL,
        startIngestor,
      });
    }
  } finally {
    for (const cleanup of cleanups)
      await cleanup().catch((error: unknown) => console.error('cleanup:', error));
    await admin.disconnect();
  }
}

if (process.argv.includes('--publisher')) {
  void runPublisher();
} else {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
