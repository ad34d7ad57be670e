import { ReadinessRegistry } from './readiness.registry';

describe('ReadinessRegistry', () => {
  it('lists registered checks and refuses a duplicate name', () => {
    const registry = new ReadinessRegistry();
    registry.register({ name: 'kafka', check: async () => undefined });
    expect(registry.list().map((c) => c.name)).toEqual(['kafka']);
    expect(() => registry.register({ name: 'kafka', check: async () => undefined })).toThrow(
      /twice/,
    );
  });

  it('reports draining once shutdown starts', () => {
    const registry = new ReadinessRegistry();
    expect(registry.isDraining()).toBe(false);
    registry.markDraining();
    expect(registry.isDraining()).toBe(true);
  });
});
