export * from './logging/nest-messaging-logger';
export * from './kafka/kafka.module';
export * from './nats/nats.module';
export * from './mqtt/mqtt.module';
export * from './nats/jetstream-consumer.decorator';
export * from './nats/jetstream-consumers.service';
export * from './nats/jetstream-provisioning.service';
export * from './nats/nats-rpc';
export * from './mqtt/mqtt-subscribe.decorator';
export * from './mqtt/mqtt-handlers.explorer';
export {
  KAFKA_CONSUMER_TRANSPORT,
  KAFKA_HANDLER_EXTRAS,
  KafkaHandler,
} from './kafka/transport/kafka-handler.decorator';
export type { KafkaHandlerOptions } from './kafka/transport/kafka-handler.decorator';
export { KafkaRecordContext } from './kafka/transport/kafka-record.context';
export { KafkaErrorPassthroughFilter } from './kafka/transport/kafka-error-passthrough.filter';
export { KafkaConsumerServer } from './kafka/transport/kafka-consumer.server';
export type {
  KafkaConsumerServerEvents,
  KafkaConsumerServerOptions,
  KafkaConsumerServerStatus,
} from './kafka/transport/kafka-consumer.server';
export { KafkaProducerModule } from './kafka/producer/kafka-producer.module';
export {
  KAFKA_PRODUCER_OPTIONS,
  KafkaProducerService,
} from './kafka/producer/kafka-producer.service';
export { defineService } from './service/define-service';
export type { ServiceSpec } from './service/define-service';
