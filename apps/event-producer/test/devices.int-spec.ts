import { deviceContract, validate } from '@streamline/contracts';
import { uniqueName } from '@streamline/testing';
import { Client } from 'pg';
import {
  bootEventProducer,
  call,
  type Answer,
  type TestProducer,
} from './support/event-producer-harness';

interface DeviceBody {
  id: string;
  name: string;
  type: string;
  location?: string;
  thresholds?: Record<string, { min?: number; max?: number }>;
  createdAt: number;
  updatedAt: number;
}

interface DevicePage {
  items: DeviceBody[];
  nextCursor: string | null;
}

describe('device registry against real Postgres', () => {
  let producer: TestProducer;
  let db: Client;

  beforeAll(async () => {
    producer = await bootEventProducer();
    db = new Client({ connectionString: producer.database.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await producer?.close();
  });

  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    call<DeviceBody & Record<string, unknown>>(producer.baseUrl, method, path, { body, headers });
  const newId = () => uniqueName('dev').replace(/[^A-Za-z0-9_-]/g, '_');

  it('ran its migrations on the empty database: tables, keys, replica identity full, updated_at trigger', async () => {
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'registry' ORDER BY table_name",
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(['devices', 'idempotency_keys']);
    const identity = await db.query<{ relreplident: string }>(
      "SELECT relreplident FROM pg_class WHERE oid = 'registry.devices'::regclass",
    );
    expect(identity.rows[0]?.relreplident).toBe('f');
    const keys = await db.query<{ column_name: string; table_name: string }>(
      `SELECT k.table_name, k.column_name FROM information_schema.table_constraints c
       JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name
       WHERE c.table_schema = 'registry' AND c.constraint_type = 'PRIMARY KEY' ORDER BY 1, k.ordinal_position`,
    );
    expect(keys.rows).toEqual([
      { table_name: 'devices', column_name: 'id' },
      { table_name: 'idempotency_keys', column_name: 'scope' },
      { table_name: 'idempotency_keys', column_name: 'key' },
    ]);
    const types = await db.query<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'registry' AND table_name = 'devices' AND column_name LIKE '%_at'",
    );
    const triggers = await db.query<{ tgname: string }>(
      "SELECT tgname FROM pg_trigger WHERE tgrelid = 'registry.devices'::regclass AND NOT tgisinternal",
    );
    expect(triggers.rows.map((r) => r.tgname)).toEqual(['devices_touch_updated_at']);
    expect(types.rows.map((r) => r.data_type)).toEqual([
      'timestamp with time zone',
      'timestamp with time zone',
    ]);
  });

  it('creates a device (201, Location), stores it, and refuses the same id again (409)', async () => {
    const id = newId();
    const created = await api('POST', '/devices', {
      id,
      name: 'Boiler room',
      type: 'thermometer',
      location: 'basement',
      thresholds: { temperature: { max: 30 } },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/devices/${id}`);
    expect(validate(deviceContract, created.body).ok).toBe(true);
    const row = await db.query('SELECT name, thresholds FROM registry.devices WHERE id = $1', [id]);
    expect(row.rows[0]).toEqual({ name: 'Boiler room', thresholds: { temperature: { max: 30 } } });

    const again = await api('POST', '/devices', { id, name: 'Other', type: 'thermometer' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'DEVICE_EXISTS' });
    expect((await api('GET', `/devices/${id}`)).body.name).toBe('Boiler room');
  });

  it('answers 400 with the field path for an invalid device and 404 for a missing one', async () => {
    const invalid = await api('POST', '/devices', {
      id: 'a.b',
      name: 'x',
      type: 't',
      thresholds: { t: { min: 5, max: 1 } },
    });
    expect(invalid.status).toBe(400);
    const paths = (invalid.body['issues'] as Array<{ path: string }>).map((i) => i.path).sort();
    expect(paths).toEqual(['id', 'thresholds.t.max']);
    for (const method of ['GET', 'DELETE'])
      expect((await api(method, `/devices/${newId()}`)).status).toBe(404);
    expect((await api('PATCH', `/devices/${newId()}`, { name: 'x' })).status).toBe(404);
    expect((await api('PUT', `/devices/${newId()}`, { name: 'x', type: 't' })).status).toBe(404);
  });

  it('PATCH changes only the given fields, null clears, and the trigger moves updated_at', async () => {
    const id = newId();
    const created = await api('POST', '/devices', {
      id,
      name: 'A',
      type: 't',
      location: 'roof',
      thresholds: { humidity: { min: 10 } },
    });
    const renamed = await api(
      'PATCH',
      `/devices/${id}`,
      { name: 'B' },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      name: 'B',
      type: 't',
      location: 'roof',
      thresholds: { humidity: { min: 10 } },
    });
    expect(renamed.body.createdAt).toBe(created.body.createdAt);
    expect(renamed.body.updatedAt).toBeGreaterThanOrEqual(created.body.updatedAt);
    // Microseconds tell the trigger's work apart even within one millisecond.
    const stamps = await db.query<{ moved: boolean }>(
      'SELECT updated_at > created_at AS moved FROM registry.devices WHERE id = $1',
      [id],
    );
    expect(stamps.rows[0]?.moved).toBe(true);

    const cleared = await api('PATCH', `/devices/${id}`, { location: null, thresholds: null });
    expect(cleared.body).not.toHaveProperty('location');
    expect(cleared.body).not.toHaveProperty('thresholds');
    const row = await db.query('SELECT location, thresholds FROM registry.devices WHERE id = $1', [
      id,
    ]);
    expect(row.rows[0]).toEqual({ location: null, thresholds: null });

    const empty = await api('PATCH', `/devices/${id}`, {});
    expect(empty.status).toBe(400);
  });

  it('PUT replaces the whole device and DELETE removes it', async () => {
    const id = newId();
    await api('POST', '/devices', { id, name: 'A', type: 't', location: 'roof' });
    const replaced = await api('PUT', `/devices/${id}`, {
      name: 'C',
      type: 'u',
      thresholds: { co2: { max: 1000 } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id,
      name: 'C',
      type: 'u',
      thresholds: { co2: { max: 1000 } },
    });
    expect(replaced.body).not.toHaveProperty('location');

    expect((await api('DELETE', `/devices/${id}`)).status).toBe(204);
    expect((await db.query('SELECT 1 FROM registry.devices WHERE id = $1', [id])).rowCount).toBe(0);
    expect((await api('GET', `/devices/${id}`)).status).toBe(404);
  });

  it('lists every device once with keyset pagination, even while devices are added', async () => {
    const prefix = newId();
    const ids = Array.from({ length: 11 }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
    for (const id of ids) await api('POST', '/devices', { id, name: id, type: 't' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const after: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: Answer<DevicePage> = await call<DevicePage>(
        producer.baseUrl,
        'GET',
        `/devices?limit=4${after}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.items.map((d) => d.id));
      cursor = page.body.nextCursor;
      // A device added behind the cursor must not shift the pages still to come.
      if (seen.length === 4)
        await api('POST', '/devices', { id: `${prefix}-00a`, name: 'late', type: 't' });
    } while (cursor !== null);
    const mine = seen.filter((id) => id.startsWith(prefix));
    expect(mine.filter((id) => ids.includes(id))).toEqual(ids);
    expect(new Set(seen).size).toBe(seen.length);

    const bad = await api('GET', '/devices?limit=1000');
    expect(bad.status).toBe(400);
    expect((bad.body['issues'] as Array<{ path: string }>)[0]?.path).toBe('query.limit');
  });

  it('answers 400 (not 500) for text Postgres cannot store', async () => {
    const answer = await api('POST', '/devices', { id: newId(), name: 'nul\u0000byte', type: 't' });
    expect(answer.status).toBe(400);
  });
});
