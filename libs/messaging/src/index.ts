export * from './logging/messaging-logger';
export * from './errors/processing-error';
export * from './kafka/kafka-client';
export * from './kafka/topic-admin';
export * from './kafka/contract-producer';
export * from './kafka/record-decoder';
export * from './nats/nats-connection';
export * from './mqtt/mqtt-connection';
