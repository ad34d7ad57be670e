import { traceparentOf } from './traceparent';

describe('traceparentOf', () => {
  it('passes a valid W3C traceparent through, lower-cased', () => {
    expect(traceparentOf('00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01')).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
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
