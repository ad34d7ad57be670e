import { Logger } from '@nestjs/common';
import { AbstractLogger, type LogLevel, type LogMessage } from 'typeorm';

/** Sends TypeORM's messages through the service's JSON logger instead of the console. */
export class TypeOrmLogger extends AbstractLogger {
  private readonly logger = new Logger('TypeORM');

  protected writeLog(
    level: LogLevel,
    logMessage: LogMessage | string | number | Array<LogMessage | string | number>,
  ): void {
    for (const message of this.prepareLogMessages(logMessage)) {
      const text = String(message.message);
      if (level === 'error' || message.type === 'query-error') this.logger.error(text);
      else if (level === 'warn' || message.type === 'query-slow') this.logger.warn(text);
      else this.logger.log(text);
    }
  }
}
