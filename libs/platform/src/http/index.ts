export * from './service-error';
export * from './error-response';
export * from './http-error.filter';
export * from './request-validation';
export * from './request-guards';
export * from './fastify-plugins';
export * from './http-plumbing.module';
export * from './openapi-schema';
