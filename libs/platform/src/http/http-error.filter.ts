import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { throwError, type Observable } from 'rxjs';
import { translateDatabaseError } from '../database/database-errors';
import { DEFAULT_ERROR_STATUSES, toErrorResponse, type ErrorStatusMap } from './error-response';

/**
 * The one place where errors become HTTP responses: every status comes from the error's code
 * (or a Fastify/Nest status), every body has the same JSON shape, and no stack trace or
 * internal message ever reaches a client (500s are logged with their stack instead). A database
 * that is down answers 503 in every service, whether or not its repository translated the error.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly statuses: ErrorStatusMap = DEFAULT_ERROR_STATUSES,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    // Message handlers of a hybrid app have their own error path: leave them to it.
    if (host.getType() !== 'http') return throwError(() => exception);
    const adapter = this.adapterHost.httpAdapter;
    const reply: unknown = host.switchToHttp().getResponse();
    const response = toErrorResponse(translateDatabaseError(exception), this.statuses);
    if (response.internal) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(`unhandled error: ${error.message}`, error.stack);
    } else if (response.status >= 500 && response.deliberate !== true) {
      this.logger.warn(`${response.body.code}: ${response.body.message}`);
    }
    if (adapter.isHeadersSent(reply)) return;
    for (const [name, value] of Object.entries(response.headers)) {
      adapter.setHeader(reply, name, value);
    }
    adapter.reply(reply, response.body, response.status);
  }
}
