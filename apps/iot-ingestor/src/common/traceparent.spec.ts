import { traceparentOf } from './traceparent';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparentOf', () => {
  it('takes a valid traceparent user property, normalised to lower case', () => {
    expect(
      traceparentOf({ properties: { userProperties: { traceparent: VALID.toUpperCase() } } }),
    ).toBe(VALID);
    expect(traceparentOf({ properties: { userProperties: { traceparent: [VALID, 'x'] } } })).toBe(
      VALID,
    );
  });

  it('ignores a missing or malformed one', () => {
    expect(traceparentOf({})).toBeUndefined();
    expect(
      traceparentOf({ properties: { userProperties: { traceparent: 'nope' } } }),
    ).toBeUndefined();
    expect(
      traceparentOf({
        properties: {
          userProperties: {
            traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
          },
        },
      }),
    ).toBeUndefined();
  });
});
