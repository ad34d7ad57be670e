import fc from 'fast-check';
import { dlqReceivedSubject, SUBJECTS } from './subjects';

describe('dlqReceivedSubject', () => {
  it('puts a Kafka topic under dlq.received., its dots as tokens', () => {
    expect(dlqReceivedSubject('iot.telemetry.v1')).toBe('dlq.received.iot.telemetry.v1');
  });

  it('keeps an mqtt: origin readable and replaces what NATS reserves', () => {
    expect(dlqReceivedSubject('mqtt:sensors/a b/telemetry')).toBe(
      'dlq.received.mqtt:sensors/a_b/telemetry',
    );
    expect(dlqReceivedSubject('a..b.')).toBe('dlq.received.a._.b._');
  });

  it('never yields a wildcard, whitespace or an empty token', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (origin) => {
        const subject = dlqReceivedSubject(origin);
        expect(subject.startsWith(SUBJECTS.DLQ_RECEIVED_PREFIX)).toBe(true);
        for (const token of subject.split('.')) {
          expect(token.length).toBeGreaterThan(0);
          expect(token).not.toMatch(/[\s*>]/);
        }
      }),
    );
  });
});
