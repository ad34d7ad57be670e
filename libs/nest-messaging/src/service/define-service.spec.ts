import { Module } from '@nestjs/common';
import {
  baseConfigSchema,
  HttpPlumbingModule,
  kafkaConfigSchema,
  PlatformModule,
  portVar,
  STREAMLINE_VERSION,
} from '@streamline/platform';
import { KafkaProducerModule } from '../kafka/producer/kafka-producer.module';
import { KafkaModule } from '../kafka/kafka.module';
import { defineService } from './define-service';

@Module({})
class FeatureModule {}

const schema = baseConfigSchema.extend({ PORT: portVar(3999), ...kafkaConfigSchema.shape });
const config = schema.parse({});

function importedModules(imports: unknown[] | undefined): unknown[] {
  return (imports ?? []).map((i) =>
    typeof i === 'object' && i !== null && 'module' in i ? (i as { module: unknown }).module : i,
  );
}

describe('defineService', () => {
  it('derives the root module from the declaration: platform first, then what it declares', () => {
    const service = defineService({
      name: 'demo',
      description: 'a demo service',
      configSchema: schema,
      http: { errorStatuses: { NOPE: 404 } },
      kafka: true,
      producer: (c) => ({ lingerMs: c.PORT === 3999 ? 1 : 2 }),
      modules: [FeatureModule],
    });
    expect(service).toMatchObject({ name: 'demo', version: STREAMLINE_VERSION });
    const root = service.module(config);
    expect(importedModules(root.imports)).toEqual([
      PlatformModule,
      HttpPlumbingModule,
      KafkaModule,
      KafkaProducerModule,
      FeatureModule,
    ]);
    const producer = root.imports?.[3] as { providers: { useValue?: unknown }[] };
    expect(producer.providers[0]?.useValue).toEqual({ lingerMs: 1 });
  });

  it('refuses a declared broker whose variable the config schema lacks, naming it', () => {
    const service = defineService({
      name: 'demo',
      description: 'd',
      configSchema: schema,
      nats: true,
      database: { schema: 'demo', entities: [], migrations: [] },
    });
    expect(() => service.module(config)).toThrow('demo: its config schema must include NATS_URL');
  });

  it('refuses a producer without the kafka client', () => {
    const service = defineService({
      name: 'demo',
      description: 'd',
      configSchema: schema,
      producer: {},
    });
    expect(() => service.module(config)).toThrow('a producer needs the kafka client declared');
  });
});
