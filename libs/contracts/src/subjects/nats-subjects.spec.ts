import fc from 'fast-check';
import { ContractViolationError } from '../contract';
import {
  DEAD_LETTER_STREAM_SETTINGS,
  JETSTREAM_CONSUMERS,
  JETSTREAM_CONSUMER_SETTINGS,
  STREAMS,
  SUBJECTS,
  deadLetterSubject,
  natsOrigin,
  rpcSubject,
} from './subjects';

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

describe('NATS consumers, dead letters and RPC names', () => {
  it('declares durable explicit-ack consumers with a spare delivery for dead-lettering', () => {
    expect(JETSTREAM_CONSUMER_SETTINGS.CDC_SINK_ALERTS).toMatchObject({
      stream: STREAMS.ALERTS,
      durable_name: JETSTREAM_CONSUMERS.CDC_SINK_ALERTS,
      filter_subject: SUBJECTS.ALERTS_ALL,
      ack_policy: 'explicit',
    });
    expect(JETSTREAM_CONSUMER_SETTINGS.DLQ_HANDLER_REPLAY).toMatchObject({
      stream: STREAMS.DLQ_REPLAY,
      durable_name: JETSTREAM_CONSUMERS.DLQ_HANDLER_REPLAY,
      filter_subject: SUBJECTS.DLQ_REPLAY_COMMANDS,
    });
    for (const settings of Object.values(JETSTREAM_CONSUMER_SETTINGS)) {
      expect(settings.max_deliver).toBeGreaterThan(1);
      expect(settings.ack_wait).toBeGreaterThan(0);
      expect(settings.max_ack_pending).toBeGreaterThan(0);
    }
  });

  it('keeps dead letters in DEAD_LETTERS on deadletter.>, de-duplicated', () => {
    expect(DEAD_LETTER_STREAM_SETTINGS).toMatchObject({
      name: 'DEAD_LETTERS',
      subjects: ['deadletter.>'],
      storage: 'file',
      retention: 'limits',
    });
    expect(DEAD_LETTER_STREAM_SETTINGS.duplicate_window).toBeGreaterThan(0);
  });

  it('builds deadletter.<stream>.<consumer> and streamline.rpc.<service>.<method> from safe tokens', () => {
    expect(deadLetterSubject('ALERTS', 'cdc-sink-alerts-v1')).toBe(
      'deadletter.ALERTS.cdc-sink-alerts-v1',
    );
    expect(deadLetterSubject('S', 'c', 'it-dl')).toBe('it-dl.S.c');
    expect(rpcSubject('dlq-handler', 'replay')).toBe('streamline.rpc.dlq-handler.replay');
    expect(natsOrigin('alerts.telemetry.x')).toBe('nats:alerts.telemetry.x');
    fc.assert(
      fc.property(token, token, (a, b) => {
        expect(deadLetterSubject(a, b).split('.')).toEqual(['deadletter', a, b]);
        expect(rpcSubject(a, b).split('.')).toEqual(['streamline', 'rpc', a, b]);
      }),
    );
  });

  it.each(['a.b', '*', '>', 'with space', ''])('refuses the unsafe token %p', (bad) => {
    expect(() => deadLetterSubject(bad, 'c')).toThrow(ContractViolationError);
    expect(() => rpcSubject('svc', bad)).toThrow(ContractViolationError);
  });
});
