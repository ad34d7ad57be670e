import { TOPICS, telemetryContract, userActivityContract } from '@streamline/contracts';
import { RequestValidationError, ServiceError } from '@streamline/platform';
import {
  FakePublisher,
  InMemoryIdempotencyStore,
  fakeMetrics,
  idempotencyOver,
} from '../test-support/fakes';
import { ProduceTopicRecordsUseCase } from './produce-topic-records.use-case';

const activity = (userId: string) => ({
  eventId: '5a1c0c4e-3c6e-4f3e-9f7a-2b8f6f0d1e01',
  userId,
  type: 'click',
  ts: 1_714_564_800_000,
});

describe('ProduceTopicRecordsUseCase', () => {
  let publisher: FakePublisher;
  let useCase: ProduceTopicRecordsUseCase;

  beforeEach(() => {
    publisher = new FakePublisher();
    useCase = new ProduceTopicRecordsUseCase(
      publisher,
      idempotencyOver(new InMemoryIdempotencyStore()),
      fakeMetrics(),
      { PROXY_TOPICS: [TOPICS.USER_ACTIVITY, TOPICS.TELEMETRY] },
    );
  });

  async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
    const error = await promise.catch((e: unknown) => e);
    return error instanceof ServiceError ? error.code : undefined;
  }

  it.each([
    ['an unknown topic', 'no.such.topic'],
    ['a prototype member', 'constructor'],
  ])('answers 404 for %s', async (_name, topic) => {
    const body = { records: [{ value: activity('u') }] };
    expect(
      await codeOf(useCase.execute({ client: 'ip:127.0.0.1', topic, body, mode: 'all' })),
    ).toBe('TOPIC_NOT_FOUND');
  });

  it.each([
    ['an aggregate topic', TOPICS.USER_SESSIONS, 'aggregator'],
    ['a dead-letter topic', `${TOPICS.USER_ACTIVITY}.dlq`, 'dlq-handler'],
    ['a retry topic', `${TOPICS.USER_ACTIVITY}.retry`, 'dlq-handler'],
    ['the changelog', TOPICS.AGGREGATOR_CHANGELOG, 'aggregator'],
  ])('answers 403 for %s, naming the service that produces it', async (_name, topic, owner) => {
    const body = { records: [{ value: activity('u') }] };
    const error = await useCase
      .execute({ client: 'ip:127.0.0.1', topic, body, mode: 'all' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TOPIC_OWNED_BY_OTHER_SERVICE', retryable: false });
    expect((error as Error).message).toMatch(
      new RegExp(`^${topic.replace(/\./g, '\\.')} is produced by ${owner}`),
    );
  });

  it('refuses telemetry (the iot-ingestor produces it) when PROXY_TOPICS does not list it', async () => {
    const narrow = new ProduceTopicRecordsUseCase(
      publisher,
      idempotencyOver(new InMemoryIdempotencyStore()),
      fakeMetrics(),
      { PROXY_TOPICS: [TOPICS.USER_ACTIVITY] },
    );
    const body = {
      records: [
        {
          value: {
            deviceId: 'd',
            ts: 1_714_564_800_000,
            metrics: { t: 1 },
            ingestedAt: 1_714_564_800_000,
          },
        },
      ],
    };
    const error = await narrow
      .execute({ client: 'ip:127.0.0.1', topic: TOPICS.TELEMETRY, body, mode: 'all' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TOPIC_OWNED_BY_OTHER_SERVICE' });
    expect((error as Error).message).toMatch(/^iot\.telemetry\.v1 is produced by iot-ingestor/);
    expect(publisher.published).toHaveLength(0);
  });

  it('produces values checked against the topic contract, keyed by their entity id, REST-proxy shaped', async () => {
    const reply = await useCase.execute({
      client: 'ip:127.0.0.1',
      topic: TOPICS.USER_ACTIVITY,
      body: {
        records: [
          { value: activity('u-1'), headers: { origin: 'crm' } },
          { key: 'u-2', value: activity('u-2') },
        ],
      },
      mode: 'all',
    });
    expect(reply.status).toBe(200);
    expect(publisher.published).toMatchObject([
      {
        topic: TOPICS.USER_ACTIVITY,
        contract: userActivityContract,
        key: 'u-1',
        headers: { origin: 'crm' },
      },
      { key: 'u-2' },
    ]);
    expect(reply.body).toEqual({
      key_schema_id: null,
      value_schema_id: null,
      offsets: [
        {
          index: 0,
          status: 201,
          partition: 2,
          offset: '100',
          timestamp: 1_700_000_000_000,
          error_code: null,
          error: null,
        },
        {
          index: 1,
          status: 201,
          partition: 2,
          offset: '101',
          timestamp: 1_700_000_000_001,
          error_code: null,
          error: null,
        },
      ],
    });
  });

  it('keys telemetry by deviceId', async () => {
    await useCase.execute({
      client: 'ip:127.0.0.1',
      topic: TOPICS.TELEMETRY,
      body: {
        records: [
          {
            value: {
              deviceId: 'd-7',
              ts: 1_714_564_800_000,
              metrics: { t: 1 },
              ingestedAt: 1_714_564_800_001,
            },
          },
        ],
      },
      mode: 'none',
    });
    expect(publisher.forgotten).toMatchObject([{ contract: telemetryContract, key: 'd-7' }]);
  });

  it('refuses per record (207): a key that is not the entity id, a reserved header, a contract violation', async () => {
    const reply = await useCase.execute({
      client: 'ip:127.0.0.1',
      topic: TOPICS.USER_ACTIVITY,
      body: {
        records: [
          { key: 'someone-else', value: activity('u-1') },
          { value: activity('u-2'), headers: { 'dlq.origin.topic': 'x' } },
          { value: { ...activity('u-3'), ts: 'soon' } },
          { value: activity('u-4') },
        ],
      },
      mode: 'all',
    });
    expect(reply.status).toBe(207);
    const offsets = (reply.body as { offsets: Array<Record<string, unknown>> }).offsets;
    expect(offsets.map((o) => [o['status'], o['path'] ?? null])).toEqual([
      [400, 'records.0.key'],
      [400, 'records.1.headers.dlq.origin.topic'],
      [400, 'records.2.value.ts'],
      [201, null],
    ]);
    expect(offsets[0]).toMatchObject({ error_code: 400, partition: null, offset: null });
  });

  it.each([
    ['no records field', {}],
    ['an empty list', { records: [] }],
    ['an unknown field', { records: [{ value: activity('u') }], format: 'avro' }],
    ['records that are all invalid', { records: [{ value: 1 }, { nope: true }] }],
  ])('answers 400 for %s', async (_name, body) => {
    await expect(
      useCase.execute({ client: 'ip:127.0.0.1', topic: TOPICS.USER_ACTIVITY, body, mode: 'all' }),
    ).rejects.toBeInstanceOf(RequestValidationError);
    expect(publisher.published).toHaveLength(0);
  });
});
