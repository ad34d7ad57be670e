import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { connectRequest, startTestConnector, type TestConnector } from './debezium-connector';
import { createTestDatabase, type TestDatabase } from './test-database';
import { TEST_ENV } from './test-env';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

interface Row {
  id: number;
  name: string;
  attrs: string | null;
}
interface ChangeEvent {
  op: 'c' | 'u' | 'd' | 'r';
  before: Row | null;
  after: Row | null;
  source: { db: string; schema: string; table: string };
}
interface Received {
  key: { id: number };
  value: ChangeEvent | null;
}

const SCHEMA = 'cdc_it';
const TABLE = 'items';

/**
 * Debezium 3.6 on the local Kafka Connect worker (infra.sh up) against the 3.9 broker: captures
 * the snapshot, inserts, updates (with `before`, REPLICA IDENTITY FULL), deletes and tombstones.
 */
describe('startTestConnector (Debezium Postgres connector on the local Kafka Connect)', () => {
  let database: TestDatabase;
  let db: Client;
  let connector: TestConnector;
  let consumer: Consumer;
  const received: Received[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
    await db.query(`CREATE SCHEMA ${SCHEMA}`);
    await db.query(`CREATE TABLE ${SCHEMA}.${TABLE} (id int PRIMARY KEY, name text, attrs jsonb)`);
    await db.query(`ALTER TABLE ${SCHEMA}.${TABLE} REPLICA IDENTITY FULL`);
    // Present before the connector starts: arrives as a snapshot read (op r).
    await db.query(`INSERT INTO ${SCHEMA}.${TABLE} VALUES (1, 'one', '{"floor": 2}')`);
  }, 60_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await connector?.stop();
    await db?.end();
    await database?.drop();
  }, 90_000);

  it('streams snapshot, create, update, delete and the tombstone onto the topic', async () => {
    // The worker creates the topic itself (topic.creation.*: the broker does not auto-create).
    connector = await startTestConnector({
      database: database.name,
      schema: SCHEMA,
      table: TABLE,
      precreateTopic: false,
    });
    expect(connector.topic).toBe(`${connector.topicPrefix}.${SCHEMA}.${TABLE}`);
    await connector.waitForTopic();

    consumer = new Kafka({
      clientId: 'debezium-connector-it',
      brokers: TEST_ENV.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: uniqueName('debezium-connector-it') });
    await consumer.connect();
    await consumer.subscribe({ topic: connector.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({
          key: JSON.parse(message.key?.toString() ?? 'null') as { id: number },
          value: message.value ? (JSON.parse(message.value.toString()) as ChangeEvent) : null,
        });
      },
    });

    await db.query(`INSERT INTO ${SCHEMA}.${TABLE} VALUES (2, 'two', NULL)`);
    await db.query(`UPDATE ${SCHEMA}.${TABLE} SET name = 'zwei' WHERE id = 2`);
    await db.query(`DELETE FROM ${SCHEMA}.${TABLE} WHERE id = 1`);

    await waitFor(() => (received.length >= 5 ? true : undefined), {
      timeoutMs: 60_000,
      what: `5 change events on ${connector.topic}`,
    });

    // One partition: the topic holds the changes in commit order.
    expect(received.map((r) => [r.key.id, r.value?.op ?? 'tombstone'])).toEqual([
      [1, 'r'],
      [2, 'c'],
      [2, 'u'],
      [1, 'd'],
      [1, 'tombstone'],
    ]);
    const [snapshot, created, updated, deleted] = received.map((r) => r.value);
    expect(snapshot?.after).toEqual({ id: 1, name: 'one', attrs: '{"floor": 2}' });
    // jsonb arrives as a JSON string (Debezium's io.debezium.data.Json).
    expect(JSON.parse(snapshot?.after?.attrs ?? 'null')).toEqual({ floor: 2 });
    expect(created).toMatchObject({
      before: null,
      after: { id: 2, name: 'two', attrs: null },
      source: { db: database.name, schema: SCHEMA, table: TABLE },
    });
    expect(updated).toMatchObject({
      before: { id: 2, name: 'two' },
      after: { id: 2, name: 'zwei' },
    });
    expect(deleted).toMatchObject({ before: { id: 1, name: 'one' }, after: null });
  }, 180_000);

  it('rejects with the connector error when the table does not exist, and cleans up', async () => {
    // Why infra.sh registers the production connector only once registry.devices exists: a
    // filtered publication of no table fails the connector.
    const name = uniqueName('streamline-cdc-test');
    const attempt = startTestConnector({
      database: database.name,
      schema: SCHEMA,
      table: 'no_such_table',
      name,
    });
    await expect(attempt).rejects.toThrow(/FAILED/);
    expect((await connectRequest('GET', `/connectors/${name}`)).status).toBe(404);
    // Only the first test's slot remains in this database.
    const slots = await db.query<{ slot_name: string }>(
      'SELECT slot_name FROM pg_replication_slots WHERE database = $1',
      [database.name],
    );
    expect(slots.rows.map((r) => r.slot_name)).toEqual([connector.slotName]);
  }, 120_000);

  it('stop() leaves no connector, slot, publication or topic behind', async () => {
    expect(connector).toBeDefined();
    await consumer.disconnect();
    await connector.stop();

    expect((await connectRequest('GET', `/connectors/${connector.name}`)).status).toBe(404);
    const slots = await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [
      connector.slotName,
    ]);
    expect(slots.rowCount).toBe(0);
    const publications = await db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [
      connector.publicationName,
    ]);
    expect(publications.rowCount).toBe(0);
    const admin = new Kafka({ brokers: TEST_ENV.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topics.filter((t) => t.startsWith(`${connector.topicPrefix}.`))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  }, 90_000);
});
