import {
  JETSTREAM_CONSUMER_SETTINGS,
  KV_SETTINGS,
  STREAM_SETTINGS,
  type ConsumerSettings,
  type KvSettings,
  type StreamSettings,
} from '@streamline/contracts';
import type { NatsConnection } from 'nats';

/**
 * Uniquely named copies of the contract settings: own stream names and own subjects (two
 * streams may not bind overlapping subjects, and the real ALERTS may exist on the server).
 */
export function testStream(
  name: string,
  base: StreamSettings = STREAM_SETTINGS.ALERTS,
): StreamSettings {
  return { ...base, name, subjects: [`${name}.>`] };
}

/** A copy of a consumer's settings bound to a test stream. */
export function testConsumer(
  stream: StreamSettings,
  name: string,
  overrides: Partial<ConsumerSettings> = {},
): ConsumerSettings {
  return {
    ...JETSTREAM_CONSUMER_SETTINGS.CDC_SINK_ALERTS,
    stream: stream.name,
    durable_name: name,
    filter_subject: `${stream.name}.>`,
    ...overrides,
  };
}

/** A copy of the device-presence bucket settings under another name. */
export function testBucket(bucket: string): KvSettings {
  return { ...KV_SETTINGS.DEVICE_PRESENCE, bucket };
}

/** Deletes the streams (and with them their consumers) a test created; missing ones are fine. */
export async function deleteStreams(nc: NatsConnection, names: readonly string[]): Promise<void> {
  const jsm = await nc.jetstreamManager();
  for (const name of names) {
    await jsm.streams.delete(name).catch(() => false);
  }
}
