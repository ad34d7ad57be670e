import { Logger } from '@nestjs/common';
import type { MessagingLogger } from '@streamline/messaging';

/** Adapts Nest's logger (pino underneath) to the broker clients' logger interface. */
export function nestMessagingLogger(context: string): MessagingLogger {
  const logger = new Logger(context);
  const forward =
    (method: 'error' | 'warn' | 'log' | 'debug') =>
    (obj: object, msg?: string): void => {
      if (msg === undefined) logger[method](obj);
      else logger[method](obj, msg);
    };
  return {
    error: forward('error'),
    warn: forward('warn'),
    info: forward('log'),
    debug: forward('debug'),
  };
}
