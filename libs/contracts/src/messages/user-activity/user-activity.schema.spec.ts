import fc from 'fast-check';
import { validate, type ValidationResult } from '../../contract';
import { userActivityContract, userActivityInputContract } from './user-activity.schema';

const T0 = Date.UTC(2024, 4, 1, 12);
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const input = { userId: 'user-42', type: 'page_view', ts: '2024-05-01T12:00:00Z' };

function valueOf<T>(result: ValidationResult<T>): T {
  if (!result.ok) throw new Error(`expected valid, got ${JSON.stringify(result.issues)}`);
  return result.value;
}
function pathsOf<T>(result: ValidationResult<T>): string[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues.map((i) => i.path);
}

describe('user activity input (HTTP body)', () => {
  it('generates a UUID v4 eventId when absent, a new one per event', () => {
    const a = valueOf(validate(userActivityInputContract, input));
    const b = valueOf(validate(userActivityInputContract, input));
    expect(a.eventId).toMatch(UUID_V4);
    expect(b.eventId).toMatch(UUID_V4);
    expect(a.eventId).not.toBe(b.eventId);
    expect(a).toEqual({ eventId: a.eventId, userId: 'user-42', type: 'page_view', ts: T0 });
  });

  it('keeps a client eventId (lower-cased: it is the idempotency key)', () => {
    fc.assert(
      fc.property(fc.uuid(), (id) => {
        const value = valueOf(
          validate(userActivityInputContract, { ...input, eventId: id.toUpperCase() }),
        );
        expect(value.eventId).toBe(id.toLowerCase());
      }),
    );
  });

  it.each([
    ['a non-UUID eventId', { eventId: 'evt-1' }, ['eventId']],
    ['the nil UUID', { eventId: '00000000-0000-0000-0000-000000000000' }, ['eventId']],
    ['a userId with whitespace', { userId: 'john doe' }, ['userId']],
    ['a userId with a NUL', { userId: 'john\u0000doe' }, ['userId']],
    ['a userId with a line feed', { userId: 'john\ndoe' }, ['userId']],
    ['a userId with an escape or DEL', { userId: 'john\u001b\u007f' }, ['userId']],
    ['a userId with a C1 control', { userId: 'john\u0085' }, ['userId']],
    ['a userId with a lone surrogate', { userId: 'john\ud800' }, ['userId']],
    ['a type with a NUL', { type: 'click\u0000' }, ['type']],
    ['an empty userId', { userId: '' }, ['userId']],
    ['a type with a dot', { type: 'page.view' }, ['type']],
    ['a local time without offset', { ts: '2024-05-01T12:00:00' }, ['ts']],
    ['properties that are not an object', { properties: [1] }, ['properties']],
    ['a misspelt field', { userID: 'x' }, ['userID']],
  ])('rejects %s', (_label, patch, paths) => {
    expect(pathsOf(validate(userActivityInputContract, { ...input, ...patch }))).toEqual(paths);
  });

  it('keeps nested JSON properties as sent', () => {
    const properties = {
      page: '/home',
      ab: { variant: 'B', weights: [0.1, 0.9] },
      ok: true,
      n: null,
    };
    expect(
      valueOf(validate(userActivityInputContract, { ...input, properties })).properties,
    ).toEqual(properties);
  });
});

describe('user activity record (user-activity/1)', () => {
  const record = {
    eventId: '3b241101-e2bb-4255-8caf-4136c566a962',
    userId: 'u',
    type: 'click',
    ts: T0,
  };

  it('is named user-activity version 1 and accepts a record unchanged', () => {
    expect(userActivityContract.schemaId).toBe('user-activity/1');
    expect(validate(userActivityContract, record)).toEqual({ ok: true, value: record });
  });

  it('requires the eventId: the record is past the point where it is generated', () => {
    const { eventId: _e, ...withoutId } = record;
    expect(pathsOf(validate(userActivityContract, withoutId))).toEqual(['eventId']);
  });

  it('rejects an ISO ts in a record', () => {
    expect(
      pathsOf(validate(userActivityContract, { ...record, ts: '2024-05-01T12:00:00Z' })),
    ).toEqual(['ts']);
  });
});
