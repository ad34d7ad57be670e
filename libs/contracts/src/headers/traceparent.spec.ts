import { traceparentOf } from './traceparent';

const VALID = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('traceparentOf', () => {
  it('passes a valid W3C traceparent through, lower-cased', () => {
    expect(traceparentOf(VALID.toUpperCase())).toBe(VALID);
  });

  it('takes the first of repeated values (HTTP header list, MQTT user property list)', () => {
    expect(traceparentOf([VALID, 'x'])).toBe(VALID);
  });

  it.each([
    ['missing', undefined],
    ['garbage', 'hello'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-b7ad6b7169203331-01`],
    ['an all-zero span id', `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`],
    ['an unknown version', '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'],
  ])('ignores %s', (_name, header) => {
    expect(traceparentOf(header)).toBeUndefined();
  });
});
