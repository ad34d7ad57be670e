import { telemetryContract } from '../messages/telemetry/telemetry.schema';
import {
  CONTENT_TYPE_JSON,
  HEADERS,
  MQTT_ORIGIN_PREFIX,
  contractHeaders,
  mqttOrigin,
} from './headers';

describe('HEADERS', () => {
  it('holds the exact wire names of ARCHITECTURE.md', () => {
    expect(Object.values(HEADERS).sort()).toEqual(
      [
        'content-type',
        'schema',
        'traceparent',
        'retry.attempt',
        'retry.not-before',
        'retry.origin.topic',
        'retry.origin.partition',
        'retry.origin.offset',
        'retry.error',
        // Our extension: the consumer group a retried record is addressed to.
        'retry.group',
        'dlq.origin.topic',
        'dlq.origin.partition',
        'dlq.origin.offset',
        'dlq.origin.timestamp',
        'dlq.service',
        'dlq.error.class',
        'dlq.error.message',
        'dlq.attempts',
        'dlq.replay-count',
        // Our extensions: the dead letter a replayed record came from, and its bulk replay.
        'dlq.replay-of',
        'dlq.replay-id',
        'Nats-Msg-Id',
      ].sort(),
    );
    expect(HEADERS.RETRY_NOT_BEFORE).toBe('retry.not-before');
    expect(HEADERS.DLQ_ORIGIN_TOPIC).toBe('dlq.origin.topic');
    expect(HEADERS.NATS_MSG_ID).toBe('Nats-Msg-Id');
  });

  it('fixes the content type and the MQTT origin prefix', () => {
    expect(CONTENT_TYPE_JSON).toBe('application/json');
    expect(MQTT_ORIGIN_PREFIX).toBe('mqtt:');
    expect(mqttOrigin('sensors/abc/telemetry')).toBe('mqtt:sensors/abc/telemetry');
  });
});

describe('contractHeaders', () => {
  it('carries content type and schema id, and traceparent only when there is one', () => {
    expect(contractHeaders(telemetryContract)).toEqual({
      'content-type': 'application/json',
      schema: 'iot.telemetry/1',
    });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(contractHeaders(telemetryContract, traceparent)).toEqual({
      'content-type': 'application/json',
      schema: 'iot.telemetry/1',
      traceparent,
    });
  });
});
