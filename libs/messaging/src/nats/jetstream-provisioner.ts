import type { ConsumerSettings, KvSettings, StreamSettings } from '@streamline/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type KV,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { NonRetryableError } from '../errors/processing-error';
import { isJetStreamNotFound } from './nats-headers';

/** What provisioning did to one stream, consumer or bucket. */
export type ProvisionAction = 'created' | 'updated' | 'unchanged';

/** Everything a service declares it needs in JetStream; created or updated at start. */
export interface JetStreamProvisioning {
  streams?: readonly StreamSettings[];
  consumers?: readonly ConsumerSettings[];
  kv?: readonly KvSettings[];
}

export interface ProvisionReport {
  streams: Record<string, ProvisionAction>;
  consumers: Record<string, ProvisionAction>;
  kv: Record<string, ProvisionAction>;
}

const STORAGE = { file: StorageType.File, memory: StorageType.Memory } as const;
const RETENTION = {
  limits: RetentionPolicy.Limits,
  interest: RetentionPolicy.Interest,
  workqueue: RetentionPolicy.Workqueue,
} as const;
const DISCARD = { old: DiscardPolicy.Old, new: DiscardPolicy.New } as const;
const DELIVER = { all: DeliverPolicy.All, new: DeliverPolicy.New } as const;

/** The nats.js stream configuration of a contracts `StreamSettings`. */
export function toStreamConfig(settings: StreamSettings): Partial<StreamConfig> {
  return {
    name: settings.name,
    subjects: [...settings.subjects],
    storage: STORAGE[settings.storage],
    retention: RETENTION[settings.retention],
    discard: DISCARD[settings.discard],
    max_age: settings.max_age,
    duplicate_window: settings.duplicate_window,
    num_replicas: settings.num_replicas,
  };
}

/** The nats.js consumer configuration of a contracts `ConsumerSettings`. */
export function toConsumerConfig(settings: ConsumerSettings): Partial<ConsumerConfig> {
  return {
    durable_name: settings.durable_name,
    ...(settings.filter_subject ? { filter_subject: settings.filter_subject } : {}),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DELIVER[settings.deliver_policy],
    replay_policy: ReplayPolicy.Instant,
    ack_wait: settings.ack_wait,
    max_deliver: settings.max_deliver,
    max_ack_pending: settings.max_ack_pending,
  };
}

/** Creates the stream, or updates it to the settings; refuses settings the server cannot change. */
export async function ensureStream(
  jsm: JetStreamManager,
  settings: StreamSettings,
): Promise<ProvisionAction> {
  const wanted = toStreamConfig(settings);
  const existing = await orUndefined(jsm.streams.info(settings.name));
  if (!existing) {
    await jsm.streams.add(wanted);
    return 'created';
  }
  const have = existing.config;
  for (const field of ['storage', 'retention'] as const) {
    if (have[field] !== wanted[field]) {
      throw new NonRetryableError(
        'JETSTREAM_SETTINGS_CONFLICT',
        `stream ${settings.name} has ${field}=${have[field]}, settings want ${wanted[field]}; ` +
          'the server cannot change it in place',
      );
    }
  }
  const same =
    sameSet(have.subjects ?? [], settings.subjects) &&
    have.discard === wanted.discard &&
    have.max_age === wanted.max_age &&
    have.duplicate_window === wanted.duplicate_window &&
    have.num_replicas === wanted.num_replicas;
  if (same) return 'unchanged';
  await jsm.streams.update(settings.name, { ...have, ...wanted });
  return 'updated';
}

/** Creates the durable pull consumer, or updates its limits (ack wait, deliveries, pending). */
export async function ensureConsumer(
  jsm: JetStreamManager,
  settings: ConsumerSettings,
): Promise<ProvisionAction> {
  const wanted = toConsumerConfig(settings);
  const existing = await orUndefined(jsm.consumers.info(settings.stream, settings.durable_name));
  if (!existing) {
    await jsm.consumers.add(settings.stream, wanted);
    return 'created';
  }
  const have = existing.config;
  for (const field of ['ack_policy', 'deliver_policy', 'filter_subject'] as const) {
    if ((have[field] ?? '') !== (wanted[field] ?? '')) {
      throw new NonRetryableError(
        'JETSTREAM_SETTINGS_CONFLICT',
        `consumer ${settings.stream}/${settings.durable_name} has ${field}=${have[field] ?? ''}, ` +
          `settings want ${wanted[field] ?? ''}; delete it or give the consumer a new name`,
      );
    }
  }
  const same =
    have.ack_wait === wanted.ack_wait &&
    have.max_deliver === wanted.max_deliver &&
    have.max_ack_pending === wanted.max_ack_pending;
  if (same) return 'unchanged';
  await jsm.consumers.update(settings.stream, settings.durable_name, {
    ack_wait: settings.ack_wait,
    max_deliver: settings.max_deliver,
    max_ack_pending: settings.max_ack_pending,
  });
  return 'updated';
}

/** Creates the KV bucket or updates its history and TTL, and returns it open. */
export async function ensureKv(
  nc: NatsConnection,
  settings: KvSettings,
): Promise<{ kv: KV; action: ProvisionAction }> {
  const jsm = await nc.jetstreamManager();
  const js = nc.jetstream();
  const streamName = `KV_${settings.bucket}`;
  const existing = await orUndefined(jsm.streams.info(streamName));
  if (!existing) {
    const kv = await js.views.kv(settings.bucket, {
      history: settings.history,
      storage: STORAGE[settings.storage],
      ttl: settings.ttl,
      replicas: settings.replicas,
    });
    return { kv, action: 'created' };
  }
  const have = existing.config;
  if (have.storage !== STORAGE[settings.storage]) {
    throw new NonRetryableError(
      'JETSTREAM_SETTINGS_CONFLICT',
      `KV bucket ${settings.bucket} has storage=${have.storage}, settings want ${settings.storage}`,
    );
  }
  const maxAge = settings.ttl > 0 ? nanos(settings.ttl) : 0;
  let action: ProvisionAction = 'unchanged';
  if (have.max_msgs_per_subject !== settings.history || have.max_age !== maxAge) {
    await jsm.streams.update(streamName, {
      ...have,
      max_msgs_per_subject: settings.history,
      max_age: maxAge,
    });
    action = 'updated';
  }
  const kv = await js.views.kv(settings.bucket, { bindOnly: true });
  return { kv, action };
}

/** Provisions streams first, then their consumers, then KV buckets; idempotent. */
export async function provisionJetStream(
  nc: NatsConnection,
  wanted: JetStreamProvisioning,
): Promise<ProvisionReport> {
  const jsm = await nc.jetstreamManager();
  const report: ProvisionReport = { streams: {}, consumers: {}, kv: {} };
  for (const stream of wanted.streams ?? []) {
    report.streams[stream.name] = await ensureStream(jsm, stream);
  }
  for (const consumer of wanted.consumers ?? []) {
    const key = `${consumer.stream}/${consumer.durable_name}`;
    report.consumers[key] = await ensureConsumer(jsm, consumer);
  }
  for (const bucket of wanted.kv ?? []) {
    report.kv[bucket.bucket] = (await ensureKv(nc, bucket)).action;
  }
  return report;
}

async function orUndefined<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (isJetStreamNotFound(error)) return undefined;
    throw error;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}
