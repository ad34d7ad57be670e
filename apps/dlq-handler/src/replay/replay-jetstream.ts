import {
  JETSTREAM_CONSUMER_SETTINGS,
  STREAM_SETTINGS,
  nanos,
  type ConsumerSettings,
  type StreamSettings,
} from '@streamline/contracts';
import type { DlqHandlerConfig } from '../config/dlq-handler.config';

/** The DLQ_REPLAY work-queue stream and its durable consumer, named by the configuration. */
export function replayJetStream(config: DlqHandlerConfig): {
  streams: StreamSettings[];
  consumers: ConsumerSettings[];
} {
  const stream: StreamSettings = {
    ...STREAM_SETTINGS.DLQ_REPLAY,
    name: config.DLQ_REPLAY_STREAM,
    subjects: [config.DLQ_REPLAY_SUBJECT],
  };
  return {
    streams: [stream],
    consumers: [
      {
        ...JETSTREAM_CONSUMER_SETTINGS.DLQ_HANDLER_REPLAY,
        stream: stream.name,
        durable_name: config.DLQ_REPLAY_CONSUMER,
        filter_subject: config.DLQ_REPLAY_SUBJECT,
        ack_wait: nanos(config.DLQ_REPLAY_ACK_WAIT_MS),
      },
    ],
  };
}
