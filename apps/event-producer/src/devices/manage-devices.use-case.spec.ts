import { RequestValidationError, ServiceError } from '@streamline/platform';
import { InMemoryDevicesRepository } from '../test-support/fakes';
import { DEVICE_PAGES, ManageDevicesUseCase } from './manage-devices.use-case';

const sensor = {
  id: 'd-1',
  name: 'Boiler',
  type: 'thermometer',
  location: 'basement',
  thresholds: { temperature: { max: 30 } },
};

describe('ManageDevicesUseCase', () => {
  let repository: InMemoryDevicesRepository;
  let devices: ManageDevicesUseCase;

  beforeEach(() => {
    repository = new InMemoryDevicesRepository();
    devices = new ManageDevicesUseCase(repository);
  });

  async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
    const error = await promise.catch((e: unknown) => e);
    if (error instanceof ServiceError) return error.code;
    throw new Error(`expected a ServiceError, got ${String(error)}`);
  }

  it('creates a device and refuses a second with the same id (409 code)', async () => {
    const created = await devices.create(sensor);
    expect(created).toMatchObject({ ...sensor, createdAt: expect.any(Number) });
    expect(await codeOf(devices.create({ ...sensor, name: 'other' }))).toBe('DEVICE_EXISTS');
  });

  it('validates the body with field paths (400)', async () => {
    const error = await devices
      .create({ id: 'bad id', name: '', type: 't', tresholds: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestValidationError);
    const paths = (error as RequestValidationError).issues?.map((i) => i.path).sort();
    expect(paths).toEqual(['id', 'name', 'tresholds']);
  });

  it('gets a device, 404 when missing, 400 for an id that cannot exist', async () => {
    await devices.create(sensor);
    expect((await devices.get('d-1')).name).toBe('Boiler');
    expect(await codeOf(devices.get('d-2'))).toBe('DEVICE_NOT_FOUND');
    expect(await codeOf(devices.get('a.b'))).toBe('VALIDATION_FAILED');
  });

  it('replaces every field on PUT, clearing omitted optional ones; 404 when missing', async () => {
    await devices.create(sensor);
    const replaced = await devices.replace('d-1', { name: 'New', type: 'hygrometer' });
    expect(replaced).toMatchObject({ id: 'd-1', name: 'New', type: 'hygrometer' });
    expect(replaced).not.toHaveProperty('location');
    expect(replaced).not.toHaveProperty('thresholds');
    expect(await codeOf(devices.replace('d-9', { name: 'x', type: 'y' }))).toBe('DEVICE_NOT_FOUND');
  });

  it('refuses a PUT whose body id differs from the path', async () => {
    await devices.create(sensor);
    const error = await devices.replace('d-1', { ...sensor, id: 'd-2' }).catch((e: unknown) => e);
    expect((error as RequestValidationError).issues?.[0]?.path).toBe('id');
  });

  it('patches only the given fields; null clears; an empty patch is a 400', async () => {
    await devices.create(sensor);
    const renamed = await devices.patch('d-1', { name: 'Renamed' });
    expect(renamed).toMatchObject({
      name: 'Renamed',
      location: 'basement',
      thresholds: sensor.thresholds,
    });
    const cleared = await devices.patch('d-1', { location: null, thresholds: null });
    expect(cleared).not.toHaveProperty('location');
    expect(cleared).not.toHaveProperty('thresholds');
    expect(cleared.name).toBe('Renamed');
    expect(await codeOf(devices.patch('d-1', {}))).toBe('VALIDATION_FAILED');
    expect(await codeOf(devices.patch('d-9', { name: 'x' }))).toBe('DEVICE_NOT_FOUND');
  });

  it('deletes a device; a second delete is a 404', async () => {
    await devices.create(sensor);
    await devices.delete('d-1');
    expect(await codeOf(devices.delete('d-1'))).toBe('DEVICE_NOT_FOUND');
  });

  it('pages through every device exactly once, in id order', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `dev-${String(i).padStart(2, '0')}`);
    for (const id of [...ids].reverse()) await devices.create({ id, name: id, type: 't' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await devices.list({ limit: '3', ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor !== undefined);
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it('refuses a bad limit or a forged cursor with 400', async () => {
    for (const query of [
      { limit: '0' },
      { limit: '501' },
      { limit: 'ten' },
      { cursor: 'garbage' },
      { cursor: DEVICE_PAGES.encode('x').slice(2) },
      { cursor: DEVICE_PAGES.encode('not a device id') },
    ]) {
      expect(await codeOf(devices.list(query))).toBe('VALIDATION_FAILED');
    }
  });
});
