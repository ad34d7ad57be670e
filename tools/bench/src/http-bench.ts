/**
 * `npm run bench:http`: drives event-producer's `POST /events` with single events at a steady
 * rate (open loop: each request leaves at its time, over a keep-alive pool) and with batches of 100
 * flat out (autocannon), and, in the same run and on the same topic shape, raw kafkajs producing
 * the same records at the same steady rate. Prints records/s and p50/p99 latency of each.
 *
 * The service runs as a child process, the production bundle (`nx build event-producer` first;
 * `npm run bench:http` does), or `--service-url` for one already running, so autocannon and the
 * service do not share an event loop. Options: `--duration <s>` per phase (default 10),
 * `--rate <req/s>` for single events (default 1000), `--connections <n>` (default 20),
 * `--compression none|gzip` (default none, the service's default; raw kafkajs uses the same),
 * `--linger <ms>` (default 1, the service's default; raw kafkajs at its best lingers the same).
 *
 * Single events are compared with raw kafkajs twice: one `send` per event (what a naive producer
 * does) and at its best, batching what arrives within the linger or during a send in flight,
 * with one producer, as the service does.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { contractHeaders, userActivityContract } from '@streamline/contracts';
import { createKafka, ensureTopics, silentLogger } from '@streamline/messaging';
import {
  TEST_ENV,
  createTestDatabase,
  startBuiltService,
  uniqueName,
  type BuiltService,
} from '@streamline/testing';

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonResult {
  latency: { p50: number; p99: number };
  requests: { total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  connections: number;
  duration: number;
  requests: Array<{ setupRequest: (request: { body?: string }) => { body?: string } }>;
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

interface PhaseResult {
  name: string;
  records: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
}

const USERS = Array.from({ length: 1_000 }, (_, i) => `bench-user-${i}`);

function arg(name: string, fallback: number): number;
function arg(name: string, fallback: string | undefined): string | undefined;
function arg(name: string, fallback: number | string | undefined): number | string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : undefined;
  if (value === undefined) return fallback;
  return typeof fallback === 'number' ? Number(value) : value;
}

function event(i: number): Record<string, unknown> {
  const userId = USERS[i % USERS.length] as string;
  return {
    eventId: randomUUID(),
    userId,
    type: 'page_view',
    ts: Date.now(),
    properties: { path: `/p/${i % 50}` },
  };
}

/** A pool of request bodies, rotated, so every request carries other users and event ids. */
function bodies(perRequest: number, count: number): string[] {
  return Array.from({ length: count }, (_, r) => {
    const events = Array.from({ length: perRequest }, (_, i) => event(r * perRequest + i));
    return JSON.stringify(perRequest === 1 ? events[0] : events);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function httpPhase(
  name: string,
  url: string,
  perRequest: number,
  opts: { duration: number; connections: number },
): Promise<PhaseResult> {
  const pool = bodies(perRequest, 200);
  let next = 0;
  const result = await autocannon({
    url: `${url}/events`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: opts.connections,
    duration: opts.duration,
    requests: [{ setupRequest: (request) => ({ ...request, body: pool[next++ % pool.length] }) }],
  });
  const ok = result.requests.total - result.non2xx;
  return {
    name,
    records: ok * perRequest,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Calls `fire(0)`, `fire(1)`, … at `rate` a second for `seconds`, catching up every millisecond,
 * whatever the earlier calls are still doing (an open loop). Resolves with the start time.
 */
async function atFixedRate(
  rate: number,
  seconds: number,
  fire: (i: number) => void,
): Promise<number> {
  const started = performance.now();
  const endAt = started + seconds * 1000;
  let i = 0;
  while (performance.now() < endAt) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    while (i < due) fire(i++);
    await new Promise((done) => setTimeout(done, 1));
  }
  return started;
}

/**
 * Single events at a steady rate, the way the raw phases send them: each request leaves at its
 * time over a keep-alive pool of `connections`, and its latency runs from then to the response.
 * (autocannon's `overallRate` is a quota per second that each connection spends back to back as
 * soon as the second starts: it measures bursts at full concurrency, not a rate.)
 */
async function httpRatePhase(
  name: string,
  url: string,
  opts: { duration: number; rate: number; connections: number },
): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const target = new URL(`${url}/events`);
  const pool = bodies(1, 200);
  const latencies: number[] = [];
  let records = 0;
  let errors = 0;
  const post = (body: string) =>
    new Promise<void>((done) => {
      const t0 = performance.now();
      const request = httpRequest(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              latencies.push(performance.now() - t0);
              records += 1;
            } else errors += 1;
            done();
          });
        },
      );
      request.on('error', () => {
        errors += 1;
        done();
      });
      request.end(body);
    });
  const inFlight = new Set<Promise<void>>();
  const started = await atFixedRate(opts.rate, opts.duration, (i) => {
    const sent: Promise<void> = post(pool[i % pool.length] as string).finally(() =>
      inFlight.delete(sent),
    );
    inFlight.add(sent);
  });
  await Promise.all(inFlight);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return summary(name, records, seconds, latencies, errors);
}

function message(i: number): Message {
  const value = event(i);
  return {
    key: value['userId'] as string,
    value: JSON.stringify(value),
    headers: contractHeaders(userActivityContract),
  };
}

/** One idempotent kafkajs producer (one connection per broker) with the service's compression. */
async function rawProducer(
  kafka: Kafka,
  gzip: boolean,
): Promise<{ producer: Producer; compression: CompressionTypes }> {
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return { producer, compression: gzip ? CompressionTypes.GZIP : CompressionTypes.None };
}

function summary(
  name: string,
  records: number,
  seconds: number,
  latencies: number[],
  errors: number,
): PhaseResult {
  latencies.sort((a, b) => a - b);
  const [p50, p99] = [percentile(latencies, 50), percentile(latencies, 99)];
  return { name, records, seconds, p50, p99, errors };
}

/** Raw kafkajs, as a hand-written producer would do it: idempotent, acks=all, the service's compression. */
async function rawPhase(
  name: string,
  kafka: Kafka,
  topic: string,
  perSend: number,
  opts: { duration: number; concurrency: number; rate?: number; gzip: boolean },
): Promise<PhaseResult> {
  const { producer, compression } = await rawProducer(kafka, opts.gzip);
  const latencies: number[] = [];
  let records = 0;
  let errors = 0;
  const started = performance.now();
  const endAt = started + opts.duration * 1000;
  const sendOne = async (i: number) => {
    const t0 = performance.now();
    try {
      const messages = Array.from({ length: perSend }, (_, k) => message(i * perSend + k));
      await producer.send({ topic, acks: -1, compression, messages });
      latencies.push(performance.now() - t0);
      records += perSend;
    } catch {
      errors += 1;
    }
  };
  let i = 0;
  if (opts.rate === undefined) {
    // Flat out: `concurrency` sends in flight, each a batch of `perSend` records.
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (performance.now() < endAt) await sendOne(i++);
      }),
    );
  } else {
    // A fixed rate of single sends, whatever their latency.
    const inFlight = new Set<Promise<void>>();
    await atFixedRate(opts.rate, opts.duration, (n) => {
      const send: Promise<void> = sendOne(n).finally(() => inFlight.delete(send));
      inFlight.add(send);
    });
    await Promise.all(inFlight);
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return summary(name, records, seconds, latencies, errors);
}

/**
 * Raw kafkajs at its best for single events at a fixed rate: what the service's producer does,
 * hand-written. Records arriving while a send is in flight (or within `lingerMs`) share the next
 * produce request; one idempotent producer (one connection per broker), acks=all. Latency runs
 * from a record's arrival to its acknowledgement.
 */
async function rawLingerPhase(
  name: string,
  kafka: Kafka,
  topic: string,
  opts: { duration: number; rate: number; lingerMs: number; gzip: boolean },
): Promise<PhaseResult> {
  const { producer, compression } = await rawProducer(kafka, opts.gzip);
  const latencies: number[] = [];
  let records = 0;
  let errors = 0;
  let pending: Array<{ message: Message; at: number }> = [];
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    if (inFlight !== undefined || pending.length === 0) return;
    const batch = pending;
    pending = [];
    inFlight = producer
      .send({ topic, acks: -1, compression, messages: batch.map((p) => p.message) })
      .then(
        () => {
          const now = performance.now();
          for (const p of batch) latencies.push(now - p.at);
          records += batch.length;
        },
        () => void (errors += batch.length),
      )
      .finally(() => {
        inFlight = undefined;
        // What arrived meanwhile goes at once: it has waited for a whole round trip already.
        flush();
      });
  };
  const started = await atFixedRate(opts.rate, opts.duration, (i) => {
    pending.push({ message: message(i), at: performance.now() });
    if (inFlight === undefined && timer === undefined) timer = setTimeout(flush, opts.lingerMs);
  });
  while (pending.length > 0 || inFlight !== undefined || timer !== undefined) {
    await new Promise((done) => setTimeout(done, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  return summary(name, records, seconds, latencies, errors);
}

function print(results: PhaseResult[]): void {
  const rows = results.map((r) => ({
    phase: r.name,
    'records/s': Math.round(r.records / r.seconds),
    'p50 ms': Number(r.p50.toFixed(2)),
    'p99 ms': Number(r.p99.toFixed(2)),
    errors: r.errors,
  }));
  console.table(rows);
  const rate = (name: string) => {
    const r = results.find((x) => x.name === name);
    return r === undefined ? Number.NaN : r.records / r.seconds;
  };
  const ratio = rate('http batches of 100') / rate('raw kafkajs batches of 100');
  console.log(
    `batched HTTP throughput = ${(ratio * 100).toFixed(0)}% of raw kafkajs (target >= 50%)`,
  );
  const single = results.find((r) => r.name.startsWith('http single'));
  const best = results.find((r) => r.name.startsWith('raw kafkajs lingered'));
  if (single) {
    console.log(
      `single events p99 = ${single.p99.toFixed(2)} ms (target < 20 ms); raw kafkajs at its best (same linger, one producer) p99 = ${best?.p99.toFixed(2) ?? '?'} ms`,
    );
  }
}

async function main(): Promise<void> {
  const duration = arg('duration', 10);
  const rate = arg('rate', 1_000);
  const connections = arg('connections', 20);
  const serviceUrl = arg('service-url', undefined);
  // The same codec for the service and raw kafkajs, so the comparison is fair.
  const gzip = arg('compression', 'none') === 'gzip';
  // The service's KAFKA_LINGER_MS default; raw kafkajs at its best lingers the same.
  const lingerMs = arg('linger', 1);
  const kafka = createKafka({
    brokers: TEST_ENV.kafkaBrokers,
    clientId: 'http-bench',
    logger: silentLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('bench.http');
  await ensureTopics(admin, [{ name: topic, partitions: 6 }]);
  const database =
    serviceUrl === undefined ? await createTestDatabase('streamline_bench') : undefined;
  let service: BuiltService | undefined;
  try {
    let url = serviceUrl;
    if (url === undefined) {
      service = await startBuiltService(
        'event-producer',
        {
          KAFKA_BROKERS: TEST_ENV.kafkaBrokers.join(','),
          KAFKA_COMPRESSION: gzip ? 'gzip' : 'none',
          KAFKA_LINGER_MS: String(lingerMs),
          DATABASE_URL: database?.url ?? '',
          EVENTS_TOPIC: topic,
          RATE_LIMIT_MAX: '1000000000',
          LOG_LEVEL: 'warn',
        },
        { output: 'inherit', inheritEnv: true },
      );
      await service.waitReady({ paths: ['/health/ready', '/devices?limit=1'] });
      url = service.url;
    }
    console.log(
      `event-producer at ${url}, topic ${topic}, ${duration} s per phase, compression ${gzip ? 'gzip' : 'none'}`,
    );
    // Other processes on the machine move these figures: the load average says how busy it was.
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (${cpus().length} cores)`,
    );
    await httpPhase('warm-up', url, 10, { duration: 3, connections });
    const results = [
      await rawPhase(`raw kafkajs single sends @${rate}/s`, kafka, topic, 1, {
        duration,
        concurrency: 1,
        rate,
        gzip,
      }),
      await rawLingerPhase(`raw kafkajs lingered ${lingerMs} ms @${rate}/s`, kafka, topic, {
        duration,
        rate,
        lingerMs,
        gzip,
      }),
      await httpRatePhase(`http single @${rate}/s`, url, { duration, rate, connections }),
      await rawPhase('raw kafkajs batches of 100', kafka, topic, 100, {
        duration,
        concurrency: 4,
        gzip,
      }),
      await httpPhase('http batches of 100', url, 100, { duration, connections: 8 }),
    ];
    print(results);
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await service?.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await database?.drop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
