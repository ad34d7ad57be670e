/**
 * A consumer process for the kill -9 test: handles records slowly and appends each handled
 * record to OUT_FILE (synchronously, so a SIGKILL cannot lose a line that was written).
 * Run with: tsx --tsconfig tsconfig.base.json <this file>, env TOPIC, GROUP_ID, OUT_FILE, DELAY_MS.
 */
import { appendFileSync } from 'node:fs';
import { telemetryContract, type TelemetryRecord } from '@streamline/contracts';
import { TEST_ENV } from '@streamline/testing';
import { createKafka } from '../../kafka-client';
import { silentLogger } from '../../../logging/messaging-logger';
import { defineHandler } from '../consumer-options';
import { ContractConsumer } from '../contract-consumer';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const topic = required('TOPIC');
  const outFile = required('OUT_FILE');
  const delayMs = Number(process.env['DELAY_MS'] ?? '50');
  const kafka = createKafka({
    brokers: TEST_ENV.kafkaBrokers,
    clientId: 'slow-consumer-fixture',
    logger: silentLogger,
  });
  const consumer = new ContractConsumer({
    kafka,
    groupId: required('GROUP_ID'),
    service: 'slow-consumer-fixture',
    logger: silentLogger,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    commitIntervalMs: 300,
    handlers: [
      defineHandler({
        topic,
        contract: telemetryContract,
        handler: async (value: TelemetryRecord, context) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          appendFileSync(
            outFile,
            `${context.partition}:${context.offset}:${value.deviceId}:${value.seq}\n`,
          );
        },
      }),
    ],
  });
  await consumer.start();
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
