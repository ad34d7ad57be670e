/**
 * The outage row of `npm run bench:ingest` (issue 13): the ingestor in spool mode at a steady
 * rate (default 5 000 readings/s) while a PRIVATE Kafka (never the shared broker) is frozen with
 * SIGSTOP for --outage-seconds (default 90), then thawed. Its own Mosquitto too (the project's
 * docker/mosquitto/mosquitto.conf on a free port), so the broker's log counts the ingestor's
 * connects: reconnects = connects − 1. Publishing stops at the thaw; the drain time is from the
 * thaw until every reading Mosquitto acknowledged is in Kafka. Lost = acknowledged by Mosquitto
 * and not in Kafka when the drain deadline passed.
 *
 * Also a process of its own: `ingest-outage.ts --outage-publisher <url> <prefix> <rate> <ms>`,
 * the publisher (forked, so its event loop is not the one counting what arrives).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKafka, silentLogger } from '@streamline/messaging';
import { PrivateKafka, freePort } from '@streamline/testing';
import { connectAsync } from 'mqtt';
import { connect as connectNats } from 'nats';

const ROOT = resolve(__dirname, '../../..');
const DEVICES = 100;
/** Publishes not yet acknowledged by Mosquitto, at most (then the publisher waits). */
const MAX_OUTSTANDING = 5_000;

export interface OutageOptions {
  /** A unique prefix for every name the row creates. */
  id: string;
  rate: number;
  outageMs: number;
  /** Steady publishing before the freeze. */
  leadMs: number;
  /** How long the backlog may take to reach Kafka after the thaw before it counts as lost. */
  drainTimeoutMs: number;
  natsUrl: string;
  /** Starts the ingestor (as the other rows do) with this environment; resolves once ready. */
  startIngestor: (env: Record<string, string>) => Promise<{ url: string; stop(): Promise<void> }>;
}

interface PublisherDone {
  published: number;
  /** Seqs whose publish failed (not acknowledged by Mosquitto). */
  failed: number[];
}

/** Runs the outage and prints its table; everything it created is removed before it returns. */
export async function runOutageRow(options: OutageOptions): Promise<void> {
  const { id, rate } = options;
  const topic = `${id}-outage.iot.telemetry.v1`;
  const clientId = `${id}-outage`;
  const prefix = `${id}/outage`;
  const spoolDir = join(tmpdir(), `${id}-outage-spool`);
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const kafka = await PrivateKafka.create();
    cleanups.unshift(() => kafka.destroy());
    const mosquitto = await BenchMosquitto.start();
    cleanups.unshift(() => mosquitto.destroy());
    await kafka.start();
    const client = createKafka({ brokers: kafka.brokers, clientId: id, logger: silentLogger });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 3 },
        { topic: `${topic}.dlq`, numPartitions: 1 },
      ],
    });
    await admin.disconnect();

    cleanups.unshift(() => rm(spoolDir, { recursive: true, force: true }));
    cleanups.unshift(async () => {
      const nc = await connectNats({ servers: options.natsUrl });
      await (
        await nc.jetstreamManager()
      ).streams
        .delete(`KV_${id}-outage-presence`)
        .catch(() => false);
      await nc.close();
    });
    const ingestor = await options.startIngestor({
      INGEST_MODE: 'spool',
      SPOOL_DIR: spoolDir,
      MQTT_URL: mosquitto.url,
      MQTT_CLIENT_ID: clientId,
      MQTT_TELEMETRY_FILTER: `$share/${id}-outage/${prefix}/sensors/+/telemetry`,
      MQTT_STATUS_FILTER: `${prefix}/sensors/+/status`,
      TELEMETRY_TOPIC: topic,
      PRESENCE_BUCKET: `${id}-outage-presence`,
      KAFKA_BROKERS: kafka.brokers.join(','),
    });
    cleanups.unshift(() => ingestor.stop());

    // What reached Kafka, by seq.
    const capacity = Math.ceil((rate * (options.leadMs + options.outageMs)) / 1_000) + 100_000;
    const seen = new Uint8Array(capacity);
    let distinct = 0;
    let lastArrival = 0;
    const consumer = client.consumer({ groupId: `${id}-outage`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    cleanups.unshift(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const { seq } = JSON.parse(message.value?.toString() ?? '{}') as { seq?: number };
          if (typeof seq !== 'number' || seq >= capacity || seen[seq] === 1) continue;
          seen[seq] = 1;
          distinct += 1;
          lastArrival = Date.now();
        }
      },
    });

    const loadBefore = loadavg();
    const publisher = fork(
      __filename,
      [
        '--outage-publisher',
        mosquitto.url,
        prefix,
        String(rate),
        String(options.leadMs + options.outageMs),
      ],
      { stdio: 'inherit' },
    );
    cleanups.unshift(async () => {
      if (publisher.exitCode === null) publisher.kill();
    });
    const done = new Promise<PublisherDone>((ok, fail) => {
      publisher.once('message', (m: PublisherDone) => ok(m));
      publisher.once('exit', (code) => fail(new Error(`outage publisher exited with ${code}`)));
    });

    // Spool depth, sampled every second: its peak is the backlog.
    let peak = 0;
    let reachableDuringOutage = true;
    let frozen = false;
    const sampler = setInterval(() => {
      void fetch(`${ingestor.url}/status`)
        .then(
          async (r) =>
            (await r.json()) as { kafka: { reachable: boolean }; spool: { records: number } },
        )
        .then((status) => {
          peak = Math.max(peak, status.spool.records);
          if (frozen && !status.kafka.reachable) reachableDuringOutage = false;
        })
        .catch(() => undefined);
    }, 1_000);
    cleanups.unshift(async () => clearInterval(sampler));

    await sleep(options.leadMs);
    kafka.freeze();
    frozen = true;
    await sleep(options.outageMs);
    kafka.thaw();
    frozen = false;
    const thawedAt = Date.now();
    const result = await done;
    const failed = new Set(result.failed);
    const acked = result.published - failed.size;
    const ackedArrived = () => distinct - result.failed.filter((seq) => seen[seq] === 1).length;
    const deadline = thawedAt + options.drainTimeoutMs;
    // Done when all arrived, or when nothing more can: the spool empty, nothing in flight and
    // nothing new in Kafka for 30 s (what is missing then was never taken by the ingestor).
    const idle = async () => {
      if (Date.now() - Math.max(lastArrival, thawedAt) < 30_000) return false;
      const metrics = await fetch(`${ingestor.url}/metrics`).then((r) => r.text());
      return (
        metricOf(metrics, 'iot_ingestor_spool_records') === 0 &&
        metricOf(metrics, 'iot_ingestor_messages_in_flight') === 0
      );
    };
    while (ackedArrived() < acked && Date.now() < deadline && !(await idle())) await sleep(500);
    const received = metricOf(
      await fetch(`${ingestor.url}/metrics`).then((r) => r.text()),
      'iot_ingestor_messages_received_total',
    );
    const dropped = await mosquitto.droppedMessages();
    let lost = 0;
    for (let seq = 0; seq < result.published; seq++) {
      if (!failed.has(seq) && seen[seq] !== 1) lost += 1;
    }
    const drainSeconds =
      ackedArrived() < acked && Date.now() >= deadline
        ? NaN
        : (Math.max(lastArrival, thawedAt) - thawedAt) / 1_000;
    const reconnects = Math.max(0, (await mosquitto.connectionsOf(clientId)) - 1);

    const fmt = (values: number[]) => values.map((l) => l.toFixed(2)).join(' ');
    console.log(
      `\noutage: ${options.outageMs / 1_000} s Kafka freeze (SIGSTOP, private broker) at ${rate}/s, ` +
        `${options.leadMs / 1_000} s of load before it; publishing stops at the thaw; ` +
        `load average before ${fmt(loadBefore)}, after ${fmt(loadavg())}\n`,
    );
    const cells = [
      'published',
      'acked',
      'ingestor rcv',
      'mosq. drops',
      'lost',
      'MQTT reconn.',
      'spool peak',
      'drain s',
      'drain /s',
    ];
    console.log(cells.map((c) => c.padStart(12)).join(' '));
    console.log(
      [
        result.published,
        acked,
        received,
        dropped,
        lost,
        reconnects,
        peak,
        Number.isNaN(drainSeconds)
          ? `> ${options.drainTimeoutMs / 1_000}`
          : drainSeconds.toFixed(1),
        Number.isNaN(drainSeconds) || drainSeconds === 0 ? '-' : Math.round(peak / drainSeconds),
      ]
        .map((c) => String(c).padStart(12))
        .join(' '),
    );
    console.log(
      `/status said Kafka unreachable during the freeze: ${reachableDuringOutage ? 'no' : 'yes'}; ` +
        'acked: PUBACK from Mosquitto; ingestor rcv: messages the ingestor received; mosq. ' +
        "drops: Mosquitto's $SYS/broker/publish/messages/dropped (queue limits); lost: acked " +
        'and not in Kafka; drain: thaw → last reading in Kafka; drain /s: spool peak / drain s\n',
    );
  } finally {
    for (const cleanup of cleanups)
      await cleanup().catch((error: unknown) => console.error('outage cleanup:', error));
  }
}

/** A counter or gauge of a /metrics text, summed over its label sets. */
function metricOf(text: string, name: string): number {
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  return [...text.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A Mosquitto of the bench's own, with the project's config (as the ingestor's tests use). */
class BenchMosquitto {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<BenchMosquitto> {
    const dir = await mkdtemp(join(tmpdir(), 'bench-mosquitto-'));
    await chmod(dir, 0o777);
    const port = await freePort();
    const project = await readFile(join(ROOT, 'docker/mosquitto/mosquitto.conf'), 'utf8');
    const config = [
      ...project
        .split('\n')
        .filter((line) => !/^\s*(listener|persistence_location|log_dest)\b/.test(line)),
      `listener ${port} 127.0.0.1`,
      `persistence_location ${dir}/`,
      `log_dest file ${join(dir, 'mosquitto.log')}`,
      '',
    ].join('\n');
    await writeFile(join(dir, 'mosquitto.conf'), config);
    const child = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
      cwd: dir,
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`bench Mosquitto exited; see ${dir}`);
      if (await accepts(port)) return new BenchMosquitto(child, dir, port);
      await sleep(100);
    }
    throw new Error(`bench Mosquitto did not listen on ${port}`);
  }

  /** How many times `clientId` connected (Mosquitto logs each connect with the client id). */
  async connectionsOf(clientId: string): Promise<number> {
    const log = await readFile(join(this.dir, 'mosquitto.log'), 'utf8').catch(() => '');
    return log.split('\n').filter((line) => line.includes(` as ${clientId} `)).length;
  }

  /**
   * Messages Mosquitto dropped for queue or in-flight limits (while still acknowledging their
   * publishers): its $SYS counter, refreshed every `sys_interval` (10 s), so read after 11 s.
   */
  async droppedMessages(): Promise<number> {
    await sleep(11_000);
    const client = await connectAsync(this.url, { clientId: `bench-sys-${process.pid}` });
    try {
      const value = new Promise<number>((ok) =>
        client.on('message', (_topic, payload) => ok(Number(payload.toString()))),
      );
      await client.subscribeAsync('$SYS/broker/publish/messages/dropped');
      // Mosquitto publishes the counter once it changed from 0: no message means none dropped.
      return await Promise.race([value, sleep(12_000).then(() => 0)]);
    } finally {
      await client.endAsync();
    }
  }

  async destroy(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((done) => this.process.once('exit', done));
      this.process.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** The publisher process: seq 0, 1, 2… at `rate`/s for `durationMs`, QoS 1, then reports. */
async function runPublisher([url, prefix, rate, durationMs]: string[]): Promise<void> {
  const client = await connectAsync(url as string, {
    clientId: `bench-outage-publisher-${process.pid}`,
    protocolVersion: 5,
    clean: true,
  });
  const perSecond = Number(rate);
  const failed: number[] = [];
  let seq = 0;
  let outstanding = 0;
  const started = performance.now();
  while (performance.now() - started < Number(durationMs)) {
    const due = Math.floor(((performance.now() - started) * perSecond) / 1_000);
    for (; seq < due && outstanding < MAX_OUTSTANDING; seq++) {
      const mine = seq;
      outstanding += 1;
      client.publish(
        `${prefix}/sensors/dev-${mine % DEVICES}/telemetry`,
        JSON.stringify({ ts: Date.now(), seq: mine, metrics: { temperature: 21.5, humidity: 40 } }),
        { qos: 1 },
        (error) => {
          outstanding -= 1;
          if (error) failed.push(mine);
        },
      );
    }
    await sleep(2);
  }
  while (outstanding > 0) await sleep(5);
  process.send?.({ published: seq, failed } satisfies PublisherDone);
  await client.endAsync();
  process.exit(0);
}

if (process.argv.includes('--outage-publisher')) {
  const at = process.argv.indexOf('--outage-publisher');
  void runPublisher(process.argv.slice(at + 1, at + 5));
}
