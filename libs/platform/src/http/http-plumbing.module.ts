import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_ERROR_STATUSES, type ErrorStatusMap } from './error-response';
import {
  installJsonMediaTypes,
  installRateLimit,
  installSecurityHeaders,
  type RateLimitSettings,
} from './fastify-plugins';
import { HttpErrorFilter } from './http-error.filter';
import { BodySizeGuard, ContentTypeGuard } from './request-guards';

export interface HttpPlumbingOptions {
  /** The service's own error codes and their statuses, on top of the platform's. */
  errorStatuses?: ErrorStatusMap;
  /** Per-client limit; omitted: no rate limit. */
  rateLimit?: RateLimitSettings;
  /** Extra media types read as JSON besides `application/json`. */
  jsonMediaTypes?: readonly string[];
  /** Helmet's headers; default true. */
  securityHeaders?: boolean;
}

const HTTP_PLUMBING_OPTIONS = Symbol('HTTP_PLUMBING_OPTIONS');

/**
 * Installs the Fastify plugins after Nest registered its routes and error handler, before the
 * server listens. Not earlier: loading a plugin makes Fastify finish registering the routes
 * already declared, and a route captures the error handler in force at that moment.
 */
@Injectable()
class HttpPlumbingInstaller implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(HTTP_PLUMBING_OPTIONS) private readonly options: HttpPlumbingOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A test module compiled without an HTTP server has nothing to install on.
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify === undefined) return;
    // Helmet first: its headers are then on every response, a 429 included.
    if (this.options.securityHeaders !== false) await installSecurityHeaders(fastify);
    if (this.options.rateLimit !== undefined)
      await installRateLimit(fastify, this.options.rateLimit);
    installJsonMediaTypes(fastify, this.options.jsonMediaTypes ?? []);
  }
}

/**
 * The HTTP edge every service can import: one exception filter mapping error codes to statuses
 * (no stack traces in responses), security headers, per-client rate limiting and extra JSON
 * media types. Validation (`validateRequest`), `@AcceptContentTypes` and `@MaxBodyBytes`
 * are used by the controllers themselves.
 */
@Module({})
export class HttpPlumbingModule {
  static forRoot(options: HttpPlumbingOptions = {}): DynamicModule {
    const statuses = { ...DEFAULT_ERROR_STATUSES, ...options.errorStatuses };
    return {
      module: HttpPlumbingModule,
      providers: [
        { provide: HTTP_PLUMBING_OPTIONS, useValue: options },
        HttpPlumbingInstaller,
        ContentTypeGuard,
        BodySizeGuard,
        {
          provide: APP_FILTER,
          inject: [HttpAdapterHost],
          useFactory: (adapterHost: HttpAdapterHost) => new HttpErrorFilter(adapterHost, statuses),
        },
      ],
      exports: [ContentTypeGuard, BodySizeGuard],
    };
  }
}
