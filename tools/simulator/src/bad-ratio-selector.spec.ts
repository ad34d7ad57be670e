import fc from 'fast-check';
import { BadRatioSelector } from './bad-ratio-selector';

describe('BadRatioSelector', () => {
  it('marks exactly floor(n × ratio) of the first n payloads, for every prefix', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 2_000 }),
        (ratio, n) => {
          const selector = new BadRatioSelector(ratio);
          let bad = 0;
          for (let i = 1; i <= n; i += 1) {
            if (selector.next()) bad += 1;
            expect(Math.abs(bad - i * ratio)).toBeLessThan(1);
          }
        },
      ),
    );
  });

  it('gives round shares exactly', () => {
    const count = (ratio: number, n: number): number => {
      const selector = new BadRatioSelector(ratio);
      return Array.from({ length: n }, () => selector.next()).filter(Boolean).length;
    };
    expect(count(0, 1_000)).toBe(0);
    expect(count(1, 1_000)).toBe(1_000);
    expect(count(0.1, 1_000)).toBe(100);
    expect(count(0.3, 10)).toBe(3);
    expect(count(0.29, 100)).toBe(29);
  });

  it('spreads the bad ones evenly instead of clumping them', () => {
    const selector = new BadRatioSelector(0.25);
    const picks = Array.from({ length: 40 }, () => selector.next());
    for (let start = 0; start + 4 <= picks.length; start += 4) {
      expect(picks.slice(start, start + 4).filter(Boolean)).toHaveLength(1);
    }
  });

  it('refuses a ratio outside 0..1', () => {
    expect(() => new BadRatioSelector(-0.1)).toThrow(RangeError);
    expect(() => new BadRatioSelector(1.1)).toThrow(RangeError);
    expect(() => new BadRatioSelector(Number.NaN)).toThrow(RangeError);
  });
});
