import { parseProducerPerformance } from './producer-performance';

const OUTPUT = `86357 records sent, 17267.9 records/sec (3.29 MB/sec), 87.8 ms avg latency, 647.0 ms max latency.
108443 records sent, 21688.6 records/sec (4.14 MB/sec), 62.7 ms avg latency, 336.0 ms max latency.
200000 records sent, 19542.700801 records/sec (3.73 MB/sec), 76.92 ms avg latency, 647.00 ms max latency, 60 ms 50th, 218 ms 95th, 252 ms 99th, 314 ms 99.9th.
`;

describe('parseProducerPerformance', () => {
  it('takes the final summary line, not a progress line', () => {
    expect(parseProducerPerformance(OUTPUT)).toEqual({
      records: 200000,
      recordsPerSec: 19542.700801,
      mbPerSec: 3.73,
      avgLatencyMs: 76.92,
      maxLatencyMs: 647,
    });
  });

  it('fails loudly when there is no summary', () => {
    expect(() => parseProducerPerformance('Exception in thread "main"')).toThrow(
      /no ProducerPerformance summary/,
    );
  });
});
