export * from './infra/unique-name';
export * from './infra/test-env';
export * from './infra/wait-for';
export * from './infra/test-database';
export * from './service/test-service';
export * from './service/platform-endpoints.suite';
export * from './compose/compose-file';
export * from './compose/deployment-config.suite';
