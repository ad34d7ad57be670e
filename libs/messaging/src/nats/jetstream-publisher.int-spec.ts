import { alertContract, alertIdOf, HEADERS, type Alert } from '@streamline/contracts';
import { TEST_ENV, uniqueName } from '@streamline/testing';
import { connect, type NatsConnection } from 'nats';
import { ensureStream } from './jetstream-provisioner';
import { JetStreamPublisher } from './jetstream-publisher';
import { natsHeadersToRecord } from './nats-headers';
import { deleteStreams, testStream } from './test-support/jetstream-test-names';

describe('JetStreamPublisher against the real NATS server', () => {
  let nc: NatsConnection;
  let publisher: JetStreamPublisher;
  const stream = testStream(uniqueName('it-publish'));
  const alert: Alert = {
    alertId: '',
    deviceId: 'dev-7',
    rule: 'threshold.max',
    metric: 'temperature',
    value: 91.5,
    threshold: 80,
    windowStart: 1_700_000_000_000,
    windowEnd: 1_700_000_060_000,
  };
  alert.alertId = alertIdOf(alert);

  beforeAll(async () => {
    nc = await connect({ servers: TEST_ENV.natsUrl });
    await ensureStream(await nc.jetstreamManager(), stream);
    publisher = new JetStreamPublisher(async () => nc.jetstream());
  });

  afterAll(async () => {
    await deleteStreams(nc, [stream.name]);
    await nc.close();
  });

  it('drops a second publish with the same Nats-Msg-Id within the duplicate window', async () => {
    const subject = `${stream.name}.dev-7`;
    const first = await publisher.publish(alertContract, {
      subject,
      value: alert,
      msgId: alert.alertId,
    });
    const second = await publisher.publish(alertContract, {
      subject,
      value: alert,
      msgId: alert.alertId,
    });

    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ duplicate: true, seq: first.seq, stream: stream.name });
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info(stream.name)).state.messages).toBe(1);

    const stored = await jsm.streams.getMessage(stream.name, { seq: first.seq });
    expect(JSON.parse(new TextDecoder().decode(stored.data))).toEqual(alert);
    expect(natsHeadersToRecord(stored.header)).toMatchObject({
      [HEADERS.CONTENT_TYPE]: 'application/json',
      [HEADERS.SCHEMA]: 'alerts.telemetry/1',
      [HEADERS.NATS_MSG_ID]: alert.alertId,
    });
  });

  it('refuses a value that breaks the contract before anything reaches the stream', async () => {
    const before = (await (await nc.jetstreamManager()).streams.info(stream.name)).state.messages;
    const broken = { ...alert, windowEnd: alert.windowStart - 1 };
    await expect(
      publisher.publish(alertContract, { subject: `${stream.name}.dev-7`, value: broken }),
    ).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION', retryable: false });
    const after = (await (await nc.jetstreamManager()).streams.info(stream.name)).state.messages;
    expect(after).toBe(before);
  });

  it('fails retryably when no stream binds the subject', async () => {
    await expect(
      publisher.publish(alertContract, {
        subject: `${uniqueName('it-nowhere')}.dev-7`,
        value: alert,
        timeoutMs: 2_000,
      }),
    ).rejects.toMatchObject({ code: 'JETSTREAM_PUBLISH_FAILED', retryable: true });
  });
});
