import { Body, Controller, Headers, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { traceparentOf, userActivityInputContract } from '@streamline/contracts';
import {
  AcceptContentTypes,
  ERROR_BODY_SCHEMA,
  MaxBodyBytes,
  schemaOf,
} from '@streamline/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendReply } from '../common/http-reply';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from '../idempotency/request-fingerprint';
import { CLIENT_IDENTIFIER, type ClientIdentifier } from './client-identity';
import { parseDeliveryMode } from './delivery-mode';
import { MAX_BODY_BYTES, MAX_RECORDS_PER_REQUEST } from './event-batch';
import { PublishEventsUseCase } from './publish-events.use-case';

type RequestHeaders = Record<string, string | string[] | undefined>;

const eventSchema = schemaOf(userActivityInputContract, 'input');

/** `POST /events`: user-activity events into Kafka. */
@ApiTags('events')
@ApiHeader({
  name: IDEMPOTENCY_HEADER,
  required: false,
  description:
    'Runs the request at most once per key for 24 h: the same key and body get the first response (with `Idempotent-Replayed: true`); the same key with another body gets 422; while the first is running, 409.',
})
@ApiHeader({
  name: 'traceparent',
  required: false,
  description: 'W3C trace context, copied onto every record (an invalid one is ignored).',
})
@ApiResponse({
  status: 400,
  description: 'Invalid event(s), `ack` or header; `issues` name each path and reason.',
  schema: ERROR_BODY_SCHEMA,
})
@ApiResponse({
  status: 409,
  description: 'The first request with this Idempotency-Key is still running.',
  schema: ERROR_BODY_SCHEMA,
})
@ApiResponse({
  status: 413,
  description: `More than ${MAX_RECORDS_PER_REQUEST} events or 1 MiB.`,
  schema: ERROR_BODY_SCHEMA,
})
@ApiResponse({
  status: 415,
  description: 'Content-Type is not application/json.',
  schema: ERROR_BODY_SCHEMA,
})
@ApiResponse({
  status: 422,
  description: 'Idempotency-Key reused with another body.',
  schema: ERROR_BODY_SCHEMA,
})
@ApiResponse({
  status: 429,
  description: 'Rate limit exceeded; see Retry-After.',
  schema: ERROR_BODY_SCHEMA,
})
@ApiResponse({
  status: 503,
  description: 'Kafka did not acknowledge in time; the reason is in `message`.',
  schema: ERROR_BODY_SCHEMA,
})
@Controller('events')
export class EventsController {
  constructor(
    private readonly publishEvents: PublishEventsUseCase,
    @Inject(CLIENT_IDENTIFIER) private readonly identify: ClientIdentifier,
  ) {}

  @Post()
  @AcceptContentTypes('application/json')
  @MaxBodyBytes(MAX_BODY_BYTES)
  @ApiOperation({
    summary: 'Publish one user-activity event or a batch',
    description: `One event object, or an array of 1-${MAX_RECORDS_PER_REQUEST}. Each is validated (eventId generated when absent) and produced to events.user-activity.v1 keyed by userId, so a user's events share a partition. A batch answers per record: 201/202 when all are accepted, 207 when some are not, 400 when none is.`,
  })
  @ApiQuery({
    name: 'ack',
    required: false,
    enum: ['all', 'none'],
    description:
      '`all` (default): answer 201 once Kafka acknowledged (acks=all), with partition/offset/timestamp. `none`: answer 202 at once (fire and forget).',
  })
  @ApiBody({
    schema: {
      oneOf: [
        eventSchema,
        { type: 'array', items: eventSchema, minItems: 1, maxItems: MAX_RECORDS_PER_REQUEST },
      ],
    },
  })
  @ApiResponse({
    status: 201,
    description:
      'Acknowledged by Kafka: `{ eventId, partition, offset, timestamp }` (a batch: `{ accepted, rejected, failed, results[] }`).',
  })
  @ApiResponse({ status: 202, description: 'Handed to the producer (ack=none).' })
  @ApiResponse({
    status: 207,
    description:
      'Batch with some records refused or failed: `results[]` has per-record `status`, and `path`/`reason` for refusals.',
  })
  async publish(
    @Body() body: unknown,
    @Query('ack') ack: unknown,
    @Headers() headers: RequestHeaders,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const result = await this.publishEvents.execute({
      client: this.identify(request),
      body,
      mode: parseDeliveryMode(ack),
      traceparent: traceparentOf(headers['traceparent']),
      idempotencyKey: idempotencyKeyOf(headers[IDEMPOTENCY_HEADER]),
    });
    sendReply(reply, result);
  }
}
