import fc from 'fast-check';
import { OrderedAckWindow } from './ordered-ack-window';

describe('OrderedAckWindow', () => {
  it('acknowledges in arrival order, holding a finished message until the earlier ones finish', () => {
    const acked: number[] = [];
    const window = new OrderedAckWindow();
    const tickets = [1, 2, 3].map((n) => window.add(() => acked.push(n)));
    window.complete(tickets[2]!);
    window.complete(tickets[1]!);
    expect(acked).toEqual([]);
    expect(window.size).toBe(3);
    window.complete(tickets[0]!);
    expect(acked).toEqual([1, 2, 3]);
    expect(window.size).toBe(0);
  });

  it('clear() drops every unacknowledged place without acking it', () => {
    const acked: number[] = [];
    const window = new OrderedAckWindow();
    const first = window.add(() => acked.push(1));
    window.add(() => acked.push(2));
    expect(window.clear()).toBe(2);
    window.complete(first);
    expect(acked).toEqual([]);
    expect(window.size).toBe(0);
  });

  it('property: whatever the completion order, every message is acked once, in arrival order', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3000 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
            ),
          ),
        ([n, order]) => {
          const acked: number[] = [];
          const window = new OrderedAckWindow();
          const tickets = [...Array(n).keys()].map((i) => window.add(() => acked.push(i)));
          for (const i of order) window.complete(tickets[i]!);
          expect(acked).toEqual([...Array(n).keys()]);
          expect(window.size).toBe(0);
        },
      ),
      { numRuns: 50 },
    );
  });
});
