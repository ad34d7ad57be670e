import { validate, type ValidationResult } from '../../contract';
import { userSessionContract } from './user-session.schema';

const T0 = Date.UTC(2024, 4, 1, 12);
const session = {
  sessionId: `user-42:${T0}`,
  userId: 'user-42',
  sessionStart: T0,
  sessionEnd: T0 + 300_000,
  eventCount: 5,
  types: { page_view: 3, click: 2 },
};

function pathsOf<T>(result: ValidationResult<T>): string[] {
  if (result.ok) throw new Error(`expected a violation, got ${JSON.stringify(result.value)}`);
  return result.issues.map((i) => i.path);
}

describe('user session (agg.user-sessions/1)', () => {
  it('is named agg.user-sessions version 1 and accepts a session unchanged', () => {
    expect(userSessionContract.schemaId).toBe('agg.user-sessions/1');
    expect(validate(userSessionContract, session)).toEqual({ ok: true, value: session });
  });

  it('accepts a single-event session (start = end)', () => {
    const single = { ...session, sessionEnd: T0, eventCount: 1, types: { click: 1 } };
    expect(validate(userSessionContract, single).ok).toBe(true);
  });

  it.each([
    ['counts that do not add up', { eventCount: 6 }, ['eventCount']],
    ['an end before the start', { sessionEnd: T0 - 1 }, ['sessionEnd']],
    ['no types (nor a count to add up)', { types: {} }, ['types', 'eventCount']],
    ['a type that never occurred', { types: { page_view: 5, click: 0 } }, ['types.click']],
    [
      'a fractional count',
      { types: { page_view: 2.5, click: 2.5 } },
      ['types.page_view', 'types.click'],
    ],
    ['an ISO sessionStart', { sessionStart: '2024-05-01T12:00:00Z' }, ['sessionStart']],
    ['a session id of another start', { sessionId: `user-42:${T0 + 1}` }, ['sessionId']],
  ])('rejects %s', (_label, patch, paths) => {
    expect(pathsOf(validate(userSessionContract, { ...session, ...patch }))).toEqual(paths);
  });
});
