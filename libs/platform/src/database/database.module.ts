import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EntitySchema, MixedList } from 'typeorm';
import { DatabaseConnector } from './database-connector';
import { TypeOrmLogger } from './typeorm-logger';

export interface DatabaseModuleOptions {
  url: string;
  /**
   * The schema this service owns (`registry`, `dlq`, `analytics`). Its first migration
   * creates it and entities name it (`@Entity({ schema })`); the migrations table lives in
   * `public` as `<schema>_migrations`, so it exists before the schema does.
   */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * Postgres through TypeORM. Schemas change only through migrations, which run at start
 * (never `synchronize`); each owner keeps its own migrations table so services sharing
 * one database never see each other's history.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          entities: options.entities,
          migrations: options.migrations,
          migrationsTableName: `${options.schema}_migrations`,
          migrationsRun: true,
          migrationsTransactionMode: 'each',
          synchronize: false,
          // DatabaseConnector initialises in the background so the service starts without Postgres.
          manualInitialization: true,
          extra: { max: 10, connectionTimeoutMillis: 2_000 },
          logging: ['error', 'warn', 'migration'],
          logger: new TypeOrmLogger(['error', 'warn', 'migration']),
        }),
      ],
      providers: [DatabaseConnector],
      exports: [TypeOrmModule, DatabaseConnector],
    };
  }
}
