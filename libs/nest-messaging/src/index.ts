export * from './logging/nest-messaging-logger';
export * from './kafka/kafka.module';
export * from './nats/nats.module';
export * from './mqtt/mqtt.module';
