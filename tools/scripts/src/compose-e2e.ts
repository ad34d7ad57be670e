/**
 * Drives the suite started by docker-compose from the host, with real clients on the published
 * ports, and prints what it checked with timings (`npm run compose:e2e` runs it after `compose up`):
 *   readings over MQTT -> iot.telemetry.v1 -> windows on agg.telemetry.1m.v1 -> analytics.telemetry_1m;
 *   POST /devices -> registry.devices -> Debezium -> cdc.registry.devices -> analytics.devices;
 *   a bad payload -> iot.telemetry.v1.dlq -> GET /dead-letters on the dlq-handler.
 * Ports come from the variables tools/compose/compose.sh sets (KAFKA_HOST_PORT, ...).
 * Exit code 1 when any check fails. Everything it creates is named after one run id.
 */
import { TOPICS, TOPIC_SETTINGS } from '@streamline/contracts';
import { createKafka, silentLogger } from '@streamline/messaging';
import { uniqueName, waitFor } from '@streamline/testing';
import mqtt from 'mqtt';
import { Client } from 'pg';
import { composeE2eConfig, type ComposeE2eConfig } from './compose-e2e-config';
import { RecordLog } from './compose-e2e-records';

interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  detail: string;
}

const results: CheckResult[] = [];

async function check(name: string, run: () => Promise<string>): Promise<boolean> {
  const started = Date.now();
  try {
    const detail = await run();
    results.push({ name, ok: true, ms: Date.now() - started, detail });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    results.push({ name, ok: false, ms: Date.now() - started, detail });
  }
  const last = results[results.length - 1];
  console.log(`${last.ok ? 'PASS' : 'FAIL'} ${last.name} (${last.ms} ms): ${last.detail}`);
  return last.ok;
}

async function getJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    body = text; // not JSON: kept as text for the message
  }
  return { status: response.status, body };
}

async function withPostgres<T>(
  config: ComposeE2eConfig,
  run: (db: Client) => Promise<T>,
): Promise<T> {
  const db = new Client({ connectionString: config.databaseUrl });
  await db.connect();
  try {
    return await run(db);
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const config = composeE2eConfig(process.env);
  const run = uniqueName('e2e');
  const device = `${run}-sensor`;
  const badDevice = `${run}-bad`;
  const registryDevice = `${run}-registered`;
  console.log(`compose e2e: run ${run}, Kafka ${config.kafkaBroker}, offset ports from the host`);

  const kafka = createKafka({
    brokers: [config.kafkaBroker],
    clientId: run,
    logger: silentLogger,
    retry: { retries: 5 },
  });
  const records = new RecordLog(kafka, `${run}-reader`, [
    TOPICS.TELEMETRY,
    TOPICS.TELEMETRY_DLQ,
    TOPICS.TELEMETRY_1M,
    TOPICS.CDC_DEVICES,
  ]);

  await check('kafka: every contract topic provisioned by the topics job', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = TOPIC_SETTINGS.map((t) => t.name).filter((name) => !existing.has(name));
      if (missing.length > 0) throw new Error(`missing topics: ${missing.join(', ')}`);
      return `${TOPIC_SETTINGS.length} topics on 127.0.0.1`;
    } finally {
      await admin.disconnect();
    }
  });

  await check('postgres: password login, wal_level=logical', () =>
    withPostgres(config, async (db) => {
      const { rows } = await db.query<{ wal_level: string }>('SHOW wal_level');
      if (rows[0]?.wal_level !== 'logical') throw new Error(`wal_level=${rows[0]?.wal_level}`);
      return 'wal_level=logical';
    }),
  );

  await check('connect: Debezium connector and task RUNNING', async () => {
    const { status, body } = await getJson(
      `${config.connectUrl}/connectors/streamline-registry-devices/status`,
    );
    const text = JSON.stringify(body);
    if (status !== 200 || (text.match(/"state":"RUNNING"/g) ?? []).length < 2) {
      throw new Error(`status ${status}: ${text}`);
    }
    return 'streamline-registry-devices RUNNING';
  });

  await records.start();
  const client = await mqtt.connectAsync(config.mqttUrl, {
    clientId: run,
    clean: true,
    protocolVersion: 5,
  });
  try {
    // Three readings of one device in the current minute (the next one when less than 20 s of
    // it are left, so they reach the aggregator well before the window's end + grace even on a
    // busy machine). Not in a past minute: by the time the checks run, the aggregator's input
    // partitions have been idle for minutes, so its idle clock (AGG_IDLE_MS) has moved their
    // stream time to the wall clock minus the grace, and a reading of a minute that ended longer
    // ago than the grace is late (iot.telemetry.late.v1), never counted in a window. Later,
    // readings just past the window's end + grace (within the ingestor's 5-minute future bound):
    // one of the device itself (same key, same partition, so that partition's stream time passes
    // the end for sure) and some of other devices. The aggregator then closes the window.
    const minute = 60_000;
    const graceMs = 10_000; // the aggregator's AGG_GRACE_MS (docker-compose.yml keeps the default)
    const thisMinute = Math.floor(Date.now() / minute) * minute;
    const windowStart = Date.now() - thisMinute > 40_000 ? thisMinute + minute : thisMinute;
    const sent = Date.now();
    await check('mqtt -> iot-ingestor -> iot.telemetry.v1', async () => {
      for (let i = 0; i < 3; i += 1) {
        const reading = {
          deviceId: device,
          ts: windowStart + 1_000 * (i + 1),
          seq: i,
          metrics: { temp: 20 + i },
        };
        await client.publishAsync(`sensors/${device}/telemetry`, JSON.stringify(reading), {
          qos: 1,
        });
      }
      const found = await waitFor(
        () => {
          const mine = records.valuesOn(TOPICS.TELEMETRY).filter((v) => v['deviceId'] === device);
          return mine.length >= 3 ? mine : undefined;
        },
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          what: `3 readings of ${device} on ${TOPICS.TELEMETRY}`,
        },
      );
      return `${found.length} readings on ${TOPICS.TELEMETRY} after ${Date.now() - sent} ms`;
    });

    await check('bad payload -> iot.telemetry.v1.dlq (original bytes)', async () => {
      const payload = `not json: ${run}`;
      await client.publishAsync(`sensors/${badDevice}/telemetry`, payload, { qos: 1 });
      await waitFor(
        () => (records.rawOn(TOPICS.TELEMETRY_DLQ).some((v) => v === payload) ? true : undefined),
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          what: `the dead letter on ${TOPICS.TELEMETRY_DLQ}`,
        },
      );
      return `dead letter on ${TOPICS.TELEMETRY_DLQ}`;
    });

    await check('dlq-handler: GET /dead-letters lists the bad payload', async () => {
      const marker = `not json: ${run}`;
      const item = await waitFor(() => findDeadLetter(config, marker), {
        timeoutMs: 90_000,
        intervalMs: 1_000,
        what: 'the dead letter at GET /dead-letters',
      });
      return `item ${item['id']} from ${String(item['originTopic'])}, status ${String(item['status'])}`;
    });

    const pastTheWindow = windowStart + minute + graceMs + 1_000;
    const clockDevices = [device, ...Array.from({ length: 12 }, (_, i) => `${run}-clock-${i}`)];
    for (const deviceId of clockDevices) {
      const advance = { deviceId, ts: pastTheWindow, metrics: { temp: 1 } };
      await client.publishAsync(`sensors/${deviceId}/telemetry`, JSON.stringify(advance), {
        qos: 1,
      });
    }
    await check('aggregator: closed window on agg.telemetry.1m.v1', async () => {
      const window = await waitFor(
        () =>
          records
            .valuesOn(TOPICS.TELEMETRY_1M)
            .find((v) => v['deviceId'] === device && v['windowStart'] === windowStart),
        { timeoutMs: 120_000, intervalMs: 500, what: `the window ${device}:${windowStart}` },
      );
      if (window['count'] !== 3)
        throw new Error(`window count ${String(window['count'])}, expected 3`);
      return `window ${String(window['windowId'])} count 3`;
    });

    await check('cdc-sink: row in analytics.telemetry_1m', () =>
      waitFor(
        () =>
          withPostgres(config, async (db) => {
            const { rows } = await db.query<{ count: number }>(
              'SELECT count FROM analytics.telemetry_1m WHERE device_id = $1 AND window_start = to_timestamp($2 / 1000.0)',
              [device, windowStart],
            );
            return rows.length > 0 ? `row with count ${rows[0].count}` : undefined;
          }),
        { timeoutMs: 60_000, intervalMs: 1_000, what: `analytics.telemetry_1m for ${device}` },
      ),
    );
  } finally {
    await client.endAsync();
  }

  await check('event-producer POST /devices -> Debezium -> cdc.registry.devices', async () => {
    const { status, body } = await getJson(`${config.eventProducerUrl}/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: registryDevice, name: 'compose e2e', type: 'thermometer' }),
    });
    if (status !== 201)
      throw new Error(`POST /devices answered ${status}: ${JSON.stringify(body)}`);
    const started = Date.now();
    const event = await waitFor(
      () =>
        records.valuesOn(TOPICS.CDC_DEVICES).find((v) => {
          const envelope = (v['payload'] ?? v) as Record<string, unknown>;
          const after = envelope['after'] as Record<string, unknown> | null | undefined;
          return after?.['id'] === registryDevice;
        }),
      { timeoutMs: 60_000, intervalMs: 250, what: `the change event of ${registryDevice}` },
    );
    const envelope = (event['payload'] ?? event) as Record<string, unknown>;
    return `op ${String(envelope['op'])} on ${TOPICS.CDC_DEVICES} ${Date.now() - started} ms after the 201`;
  });

  await check('cdc-sink: row in analytics.devices', () =>
    waitFor(
      () =>
        withPostgres(config, async (db) => {
          const { rows } = await db.query<{ name: string }>(
            'SELECT name FROM analytics.devices WHERE id = $1',
            [registryDevice],
          );
          return rows.length > 0 ? `row "${rows[0].name}"` : undefined;
        }),
      { timeoutMs: 60_000, intervalMs: 1_000, what: `analytics.devices for ${registryDevice}` },
    ),
  );

  await records.stop();
  const failed = results.filter((r) => !r.ok);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) process.exitCode = 1;
}

/** The dead letter whose bytes contain `marker`, from the first pages of GET /dead-letters. */
async function findDeadLetter(
  config: ComposeE2eConfig,
  marker: string,
): Promise<Record<string, unknown> | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < 10; page += 1) {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const { status, body } = await getJson(`${config.dlqHandlerUrl}/dead-letters?${query}`);
    if (status !== 200)
      throw new Error(`GET /dead-letters answered ${status}: ${JSON.stringify(body)}`);
    const { items, nextCursor } = body as {
      items: Record<string, unknown>[];
      nextCursor?: string | null;
    };
    const found = items.find((item) =>
      Buffer.from(String(item['valueBase64'] ?? ''), 'base64')
        .toString('utf8')
        .includes(marker),
    );
    if (found) return found;
    if (!nextCursor) return undefined;
    cursor = nextCursor;
  }
  return undefined;
}

main().catch((error: unknown) => {
  console.error(`compose e2e failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
