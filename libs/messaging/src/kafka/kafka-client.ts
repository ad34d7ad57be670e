import { Kafka, logLevel, type LogEntry, type RetryOptions } from 'kafkajs';
import type { MessagingLogger } from '../logging/messaging-logger';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: MessagingLogger;
  /** Time to open a TCP connection to a broker. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retry?: RetryOptions;
}

/** Routes kafkajs' own log lines into the service's structured logger. */
export function kafkaLogCreator(logger: MessagingLogger) {
  return () =>
    ({ level, log }: LogEntry): void => {
      const { message, ...rest } = log;
      const entry = { component: 'kafkajs', ...rest };
      if (level === logLevel.ERROR) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else if (level === logLevel.INFO) logger.info(entry, message);
      else logger.debug(entry, message);
    };
}

/** One kafkajs client per process; producers, consumers and admins come from it. */
export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    retry: options.retry ?? { initialRetryTime: 300, retries: 8, maxRetryTime: 30_000 },
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(options.logger),
  });
}
