import { RequestValidationError } from '@streamline/platform';
import { DEAD_LETTER_PAGES, parseListQuery } from './dead-letter-query';

function issuesOf(query: unknown): unknown {
  try {
    parseListQuery(query);
  } catch (error) {
    if (error instanceof RequestValidationError) return error.issues;
    throw error;
  }
  throw new Error('the query was accepted');
}

describe('GET /dead-letters query', () => {
  it('takes filters, a limit and a cursor of this list', () => {
    const query = parseListQuery({
      topic: 'iot.telemetry.v1',
      status: 'new',
      since: '2026-11-30T00:00:00Z',
      limit: '20',
      cursor: DEAD_LETTER_PAGES.encode('41'),
    });
    expect(query).toEqual({
      filter: {
        topic: 'iot.telemetry.v1',
        status: 'new',
        since: Date.parse('2026-11-30T00:00:00Z'),
      },
      limit: 20,
      beforeId: '41',
    });
    expect(parseListQuery(undefined)).toEqual({ filter: {}, limit: 50 });
  });

  it('names each faulty parameter: an unknown one, a forged cursor, a limit out of range', () => {
    expect(issuesOf({ topc: 'x' })).toEqual([
      { path: 'topc', reason: 'unknown field', code: 'unrecognized_keys' },
    ]);
    expect(issuesOf({ cursor: DEAD_LETTER_PAGES.encode('not-an-id') })).toEqual([
      { path: 'cursor', reason: 'not a cursor returned by GET /dead-letters', code: 'custom' },
    ]);
    expect(issuesOf({ limit: '501' })).toEqual([
      expect.objectContaining({ path: 'limit', code: 'too_big' }),
    ]);
  });
});
