import { Global, Inject, Module, type DynamicModule } from '@nestjs/common';

/** Injection token of the service's validated configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injects the validated configuration (see `ConfigModule.forRoot`). */
export const InjectConfig = (): ParameterDecorator => Inject(APP_CONFIG);

/** Makes the configuration that bootstrap validated once available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot<C extends object>(config: C): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: Object.freeze({ ...config }) }],
      exports: [APP_CONFIG],
    };
  }
}
