/**
 * `npm run bench:dlq`: the dlq-handler's two bulk paths, each next to raw kafkajs doing the same
 * Kafka work on the same records in the same run:
 *
 * 1. store: N dead letters on a `.dlq` topic → rows in `dlq.dead_letters` (batched INSERT,
 *    offsets committed after the database commit), next to a raw kafkajs consumer reading the
 *    same N records and doing nothing with them;
 * 2. bulk replay: `POST /dead-letters/replay` of those N → N records on the origin topic (chunks
 *    claimed and checkpointed in Postgres), next to a raw idempotent kafkajs producer (acks=all)
 *    sending the same N records in batches.
 *
 * The service is the production bundle in its own process (`nx build dlq-handler` first;
 * `npm run bench:dlq` does). Its own database, topics, consumer groups and JetStream stream have
 * unique names and are deleted at the end.
 *
 *   npm run bench:dlq -- [--records N (20000)] [--chunk C (DLQ_REPLAY_CHUNK, 200)]
 */
import { cpus, loadavg } from 'node:os';
import { HEADERS, contractHeaders, telemetryContract } from '@streamline/contracts';
import { createKafka, silentLogger } from '@streamline/messaging';
import {
  TEST_ENV,
  createTestDatabase,
  startBuiltService,
  uniqueName,
  waitFor,
  type BuiltService,
} from '@streamline/testing';
import { Partitioners, type IHeaders, type Kafka, type Message } from 'kafkajs';
import { connect as connectNats } from 'nats';
import { Client } from 'pg';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

function deadLetter(origin: string, i: number): Message {
  const headers: IHeaders = {
    ...contractHeaders(telemetryContract),
    [HEADERS.DLQ_ORIGIN_TOPIC]: origin,
    [HEADERS.DLQ_ORIGIN_PARTITION]: String(i % 6),
    [HEADERS.DLQ_ORIGIN_OFFSET]: String(i),
    [HEADERS.DLQ_ORIGIN_TIMESTAMP]: String(Date.now()),
    [HEADERS.DLQ_SERVICE]: 'bench',
    [HEADERS.DLQ_ERROR_CLASS]: 'ContractViolationError',
    [HEADERS.DLQ_ERROR_MESSAGE]: 'metrics.temperature: expected number, received string',
    [HEADERS.DLQ_ATTEMPTS]: '1',
  };
  const value = {
    deviceId: `dev-${i % 500}`,
    ts: 1_700_000_000_000 + i,
    seq: i,
    metrics: { temperature: 'hot', humidity: 40 + (i % 20) },
    ingestedAt: 1_700_000_000_000 + i,
  };
  return { key: value.deviceId, value: JSON.stringify(value), headers };
}

async function produceAll(
  kafka: Kafka,
  topic: string,
  messages: readonly Message[],
): Promise<number> {
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const started = performance.now();
  try {
    for (let i = 0; i < messages.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
    }
  } finally {
    await producer.disconnect();
  }
  return (performance.now() - started) / 1_000;
}

/** Raw kafkajs reading `count` records of a topic from the beginning: seconds from first to last batch. */
async function consumeAll(kafka: Kafka, topic: string, count: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: uniqueName('bench-dlq-raw'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  let seen = 0;
  let first = 0;
  let last = 0;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        if (seen === 0) first = performance.now();
        seen += batch.messages.length;
        last = performance.now();
      },
    });
    await waitFor(() => (seen >= count ? true : undefined), {
      timeoutMs: 300_000,
      what: 'raw consume',
    });
  } finally {
    await consumer.disconnect();
  }
  return (last - first) / 1_000;
}

/** Polls a count until it reaches `target`; seconds from the first non-zero reading to the last. */
async function timeUntil(
  count: () => Promise<number>,
  target: number,
  what: string,
): Promise<number> {
  let first: number | undefined;
  let firstCount = 0;
  let at = 0;
  await waitFor(
    async () => {
      const n = await count();
      if (first === undefined && n > 0) {
        first = performance.now();
        firstCount = n;
      }
      at = performance.now();
      return n >= target ? true : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 50, what },
  );
  // The records seen at the first reading came before the clock started: scale them out.
  return ((at - (first ?? at)) / 1_000) * (target / Math.max(1, target - firstCount));
}

async function main(): Promise<void> {
  const records = arg('records', 20_000);
  const chunk = arg('chunk', 200);
  const kafka = createKafka({
    brokers: TEST_ENV.kafkaBrokers,
    clientId: uniqueName('bench-dlq'),
    logger: silentLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  const prefix = uniqueName('benchdlq').replace(/-/g, '_');
  const origin = `${prefix}.orders`;
  const rawTarget = `${prefix}.raw`;
  const topics = [origin, `${origin}.dlq`, rawTarget];
  await admin.createTopics({
    waitForLeaders: true,
    topics: topics.map((topic) => ({ topic, numPartitions: 1 })),
  });
  const database = await createTestDatabase('dlq_bench');
  const stream = `${prefix}_REPLAY`;
  let service: BuiltService | undefined;
  try {
    const messages = Array.from({ length: records }, (_, i) => deadLetter(origin, i));
    await produceAll(kafka, `${origin}.dlq`, messages);
    const rawConsume = await consumeAll(kafka, `${origin}.dlq`, records);

    const db = new Client({ connectionString: database.url });
    service = await startBuiltService(
      'dlq-handler',
      {
        KAFKA_BROKERS: TEST_ENV.kafkaBrokers.join(','),
        NATS_URL: TEST_ENV.natsUrl,
        LOG_LEVEL: 'warn',
        DATABASE_URL: database.url,
        RETRY_TOPIC_PATTERN: `^${prefix}\\..+\\.retry$`,
        DLQ_TOPIC_PATTERN: `^${prefix}\\..+\\.dlq$`,
        RETRY_FORWARDER_GROUP: `${prefix}.forwarder`,
        DLQ_STORE_GROUP: `${prefix}.store`,
        DLQ_REPLAY_STREAM: stream,
        DLQ_REPLAY_SUBJECT: `${prefix}.replay`,
        DLQ_REPLAY_CONSUMER: `${prefix}_worker`,
        DLQ_REPLAY_CHUNK: String(chunk),
        TOPIC_REFRESH_MS: '1000',
      },
      { output: 'inherit', inheritEnv: true },
    );
    await service.waitReady({ timeoutMs: 120_000 });
    await db.connect();
    const stored = await timeUntil(
      async () => Number((await db.query('SELECT count(*) AS n FROM dlq.dead_letters')).rows[0].n),
      records,
      'dead letters stored',
    );

    const rawProduce = await produceAll(
      kafka,
      rawTarget,
      messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    );
    const started = performance.now();
    const response = await fetch(`${service.url}/dead-letters/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: origin }),
    });
    const { replayId } = (await response.json()) as { replayId: string };
    await waitFor(
      async () => {
        const progress = (await (await fetch(`${service?.url}/replays/${replayId}`)).json()) as {
          status: string;
        };
        return progress.status === 'completed' ? true : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 50, what: 'bulk replay completed' },
    );
    const replay = (performance.now() - started) / 1_000;
    await db.end();

    const rate = (seconds: number) => Math.round(records / seconds).toLocaleString('en-US');
    console.log(
      `\ndlq-handler benchmark: ${records} dead letters (~${Buffer.byteLength(String(messages[0]?.value))} B values), ` +
        `${cpus().length} cores, load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}, DLQ_REPLAY_CHUNK=${chunk}\n`,
    );
    console.table([
      {
        path: 'store: .dlq → dlq.dead_letters',
        'records/s': rate(stored),
        seconds: stored.toFixed(2),
      },
      {
        path: '  raw kafkajs consume, same records',
        'records/s': rate(rawConsume),
        seconds: rawConsume.toFixed(2),
      },
      {
        path: 'bulk replay: store → origin topic',
        'records/s': rate(replay),
        seconds: replay.toFixed(2),
      },
      {
        path: '  raw kafkajs produce (acks=all), same records',
        'records/s': rate(rawProduce),
        seconds: rawProduce.toFixed(2),
      },
    ]);
  } finally {
    await service?.stop();
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.deleteGroups([`${prefix}.forwarder`, `${prefix}.store`]).catch(() => undefined);
    await admin.disconnect();
    await database.drop();
    const nc = await connectNats({ servers: TEST_ENV.natsUrl });
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => false);
    await nc.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
