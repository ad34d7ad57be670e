import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { pinoOptions } from './pino-options';

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/** JSON logs through pino; request logs skip the probes so they do not drown real traffic. */
@Module({})
export class LoggingModule {
  static forRoot(options: { service: string; level: string }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            ...pinoOptions(options.service, options.level),
            autoLogging: {
              ignore: (req: IncomingMessage) => QUIET_PATHS.includes(req.url?.split('?')[0] ?? ''),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
