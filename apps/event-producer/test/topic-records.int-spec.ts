import { randomUUID } from 'node:crypto';
import { HEADERS, TOPICS, settingsOf, toCreateTopicConfig } from '@streamline/contracts';
import { uniqueName } from '@streamline/testing';
import type { Admin, Kafka } from 'kafkajs';
import { bootEventProducer, call, type TestProducer } from './support/event-producer-harness';
import { TopicTail, javaPartitionOf, testKafka } from './support/kafka-tail';

const TOPIC = TOPICS.USER_ACTIVITY;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

interface Offset {
  index: number;
  status: number;
  partition: number | null;
  offset: string | null;
  error_code: number | null;
  error: string | null;
  path?: string;
}

/** The shared topic: its other records belong to other runs, so everything is matched by own ids. */
describe('POST /topics/:topic/records (REST proxy) against real Kafka', () => {
  let kafka: Kafka;
  let admin: Admin;
  let tail: TopicTail;
  let producer: TestProducer;
  let partitions: number;

  beforeAll(async () => {
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    const settings = settingsOf(TOPIC);
    if (settings === undefined) throw new Error(`${TOPIC} has no settings`);
    // Idempotent: creates the shared topic on a fresh broker, changes nothing otherwise.
    await admin.createTopics({ topics: [toCreateTopicConfig(settings)], waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    partitions = metadata.topics[0]?.partitions.length ?? 0;
    tail = await TopicTail.start(kafka, admin, TOPIC, 'end');
    producer = await bootEventProducer();
  });

  afterAll(async () => {
    await producer?.close();
    await tail?.stop();
    await admin?.disconnect();
  });

  const value = (userId: string, eventId = randomUUID()) => ({
    eventId,
    userId,
    type: 'signup',
    ts: Date.now(),
  });
  const post = (topic: string, body: unknown, headers: Record<string, string> = {}) =>
    call<{ offsets: Offset[] }>(
      producer.baseUrl,
      'POST',
      `/topics/${encodeURIComponent(topic)}/records`,
      {
        body,
        headers: { 'content-type': 'application/vnd.kafka.json.v2+json', ...headers },
      },
    );

  it('writes records in the Confluent v2 shape, keyed by userId, with contract headers and extra headers', async () => {
    const userId = uniqueName('user');
    const sent = [value(userId), value(userId)];
    const answer = await post(
      TOPIC,
      {
        records: sent.map((v, i) => ({
          key: i === 0 ? userId : null,
          value: v,
          headers: { origin: 'crm' },
        })),
      },
      { traceparent: TRACEPARENT },
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ key_schema_id: null, value_schema_id: null });
    const expected = javaPartitionOf(userId, partitions);
    for (const offset of answer.body.offsets) {
      expect(offset).toMatchObject({
        status: 201,
        partition: expected,
        error_code: null,
        error: null,
      });
    }
    const records = await tail.waitFor((r) => r.key === userId, 2);
    expect(records.map((r) => r.offset).sort()).toEqual(
      answer.body.offsets.map((o) => o.offset).sort(),
    );
    expect(records.map((r) => r.value)).toEqual(expect.arrayContaining(sent));
    for (const record of records) {
      expect(record.headers).toEqual({
        origin: 'crm',
        [HEADERS.CONTENT_TYPE]: 'application/json',
        [HEADERS.SCHEMA]: 'user-activity/1',
        [HEADERS.TRACEPARENT]: TRACEPARENT,
      });
    }
  });

  it('accepts plain application/json and answers 207 when some records break the contract', async () => {
    const userId = uniqueName('user');
    const answer = await post(
      TOPIC,
      {
        records: [
          { value: value(userId) },
          { value: { ...value(userId), ts: 'later' } },
          { key: 'other', value: value(userId) },
        ],
      },
      { 'content-type': 'application/json' },
    );
    expect(answer.status).toBe(207);
    expect(answer.body.offsets.map((o) => [o.status, o.path ?? null])).toEqual([
      [201, null],
      [400, 'records.1.value.ts'],
      [400, 'records.2.key'],
    ]);
    await tail.waitFor((r) => r.key === userId);
  });

  it('answers 404 for an unknown topic', async () => {
    const answer = await post(uniqueName('no.such.topic'), { records: [{ value: value('u') }] });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'TOPIC_NOT_FOUND' });
  });

  it('refuses telemetry by default with 403 naming the iot-ingestor, and writes nothing', async () => {
    const deviceId = uniqueName('device');
    const reading = { deviceId, ts: Date.now(), metrics: { t: 1 }, ingestedAt: Date.now() };
    const answer = await post(TOPICS.TELEMETRY, { records: [{ value: reading }] });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      statusCode: 403,
      code: 'TOPIC_OWNED_BY_OTHER_SERVICE',
      retryable: false,
    });
    expect(String((answer.body as unknown as Record<string, unknown>)['message'])).toMatch(
      /^iot\.telemetry\.v1 is produced by iot-ingestor/,
    );
  });

  it.each([
    ['a dead-letter topic', `${TOPIC}.dlq`, 'dlq-handler'],
    ['an aggregate topic', TOPICS.USER_SESSIONS, 'aggregator'],
  ])('answers 403 for %s, naming its producer', async (_name, topic, owner) => {
    const answer = await post(topic, { records: [{ value: value('u') }] });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'TOPIC_OWNED_BY_OTHER_SERVICE' });
    expect(answer.text).toContain(`is produced by ${owner}`);
  });

  it('answers 415 for another content type and 400 for a bad envelope', async () => {
    const wrongType = await post(
      TOPIC,
      { records: [{ value: value('u') }] },
      { 'content-type': 'application/vnd.kafka.avro.v2+json' },
    );
    expect(wrongType.status).toBe(415);
    const noRecords = await post(TOPIC, { values: [] });
    expect(noRecords.status).toBe(400);
  });
});
