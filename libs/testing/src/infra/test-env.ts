/** Where the tests find the real infrastructure (the same defaults as the services). */
export const TEST_ENV = {
  kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(','),
  natsUrl: process.env['NATS_URL'] ?? 'nats://localhost:4222',
  mqttUrl: process.env['MQTT_URL'] ?? 'mqtt://localhost:1883',
  /** The Kafka Connect worker of `npm run infra:up` (REST API). */
  kafkaConnectUrl: process.env['KAFKA_CONNECT_URL'] ?? 'http://127.0.0.1:8083',
  /** The server, without a database: tests create their own database on it. */
  postgresServerUrl:
    process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@localhost:5432/postgres',
};

/** A TCP port on which nothing listens, for readiness tests that need an unreachable broker. */
export const CLOSED_PORT = 1;
