/** The service's name as in ARCHITECTURE.md: `dlq.service` of its dead letters, its logs and metrics. */
export const SERVICE_NAME = 'iot-ingestor';
