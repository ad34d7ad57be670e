import { z } from 'zod';

const port = (defaultPort: number) =>
  z.coerce.number().int().min(1).max(65_535).default(defaultPort);

/** The host ports tools/compose/compose.sh publishes (usual number + STREAMLINE_PORT_OFFSET). */
const composeE2eEnvSchema = z.object({
  KAFKA_HOST_PORT: port(9092),
  POSTGRES_HOST_PORT: port(5432),
  MQTT_HOST_PORT: port(1883),
  CONNECT_HOST_PORT: port(8083),
  EVENT_PRODUCER_HOST_PORT: port(3002),
  DLQ_HANDLER_HOST_PORT: port(3004),
  POSTGRES_PASSWORD: z.string().min(1).default('streamline'),
});

export interface ComposeE2eConfig {
  kafkaBroker: string;
  databaseUrl: string;
  mqttUrl: string;
  connectUrl: string;
  eventProducerUrl: string;
  dlqHandlerUrl: string;
}

/** Where the suite's components answer on the host; a bad variable is named in the error. */
export function composeE2eConfig(
  env: Readonly<Record<string, string | undefined>>,
): ComposeE2eConfig {
  const parsed = composeE2eEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid compose e2e environment: ${issues}`);
  }
  const e = parsed.data;
  return {
    kafkaBroker: `127.0.0.1:${e.KAFKA_HOST_PORT}`,
    databaseUrl: `postgres://postgres:${encodeURIComponent(e.POSTGRES_PASSWORD)}@127.0.0.1:${e.POSTGRES_HOST_PORT}/streamline`,
    mqttUrl: `mqtt://127.0.0.1:${e.MQTT_HOST_PORT}`,
    connectUrl: `http://127.0.0.1:${e.CONNECT_HOST_PORT}`,
    eventProducerUrl: `http://127.0.0.1:${e.EVENT_PRODUCER_HOST_PORT}`,
    dlqHandlerUrl: `http://127.0.0.1:${e.DLQ_HANDLER_HOST_PORT}`,
  };
}
