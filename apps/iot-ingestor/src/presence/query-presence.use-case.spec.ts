import type { DevicePresence } from '@streamline/contracts';
import type { PresenceStore } from './presence.store';
import { PRESENCE_ERRORS, QueryPresenceUseCase } from './query-presence.use-case';

const DEVICES: DevicePresence[] = [
  { deviceId: 'a', status: 'online', lastSeen: 1_700_000_000_000 },
  { deviceId: 'b', status: 'offline', lastSeen: 1_700_000_000_000 },
];

function useCaseWith(store: Partial<PresenceStore>): QueryPresenceUseCase {
  return new QueryPresenceUseCase(store as PresenceStore);
}

describe('QueryPresenceUseCase', () => {
  it('answers a known device and PRESENCE_NOT_FOUND for an unknown one', async () => {
    const useCase = useCaseWith({ get: async (id) => DEVICES.find((d) => d.deviceId === id) });
    await expect(useCase.get('a')).resolves.toEqual(DEVICES[0]);
    await expect(useCase.get('zz')).rejects.toMatchObject({ code: PRESENCE_ERRORS.NOT_FOUND });
  });

  it('refuses an id that cannot be a device id before asking NATS', async () => {
    const useCase = useCaseWith({ get: () => Promise.reject(new Error('must not be called')) });
    await expect(useCase.get('a.b')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('lists all, only online, or only offline devices', async () => {
    const useCase = useCaseWith({ list: async () => DEVICES });
    await expect(useCase.list()).resolves.toEqual(DEVICES);
    await expect(useCase.list(true)).resolves.toEqual([DEVICES[0]]);
    await expect(useCase.list(false)).resolves.toEqual([DEVICES[1]]);
  });

  it('turns a NATS failure into PRESENCE_UNAVAILABLE (retryable)', async () => {
    const useCase = useCaseWith({ list: () => Promise.reject(new Error('503 no responders')) });
    await expect(useCase.list()).rejects.toMatchObject({
      code: PRESENCE_ERRORS.UNAVAILABLE,
      retryable: true,
    });
  });
});
