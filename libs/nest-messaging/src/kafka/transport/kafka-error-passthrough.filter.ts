import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands a handler's error to the transport unchanged. Nest's default RPC filter would replace
 * it with `{ status: 'error', message: 'Internal server error' }`, losing the `code` and
 * `retryable` the failure policy routes on.
 */
@Catch()
export class KafkaErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
