import { Body, Controller, Headers, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { traceparentOf } from '@streamline/contracts';
import { AcceptContentTypes, ERROR_BODY_SCHEMA, MaxBodyBytes } from '@streamline/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendReply } from '../common/http-reply';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf } from '../idempotency/request-fingerprint';
import { CLIENT_IDENTIFIER, type ClientIdentifier } from './client-identity';
import { parseDeliveryMode } from './delivery-mode';
import { MAX_BODY_BYTES, MAX_RECORDS_PER_REQUEST } from './event-batch';
import { ProduceTopicRecordsUseCase } from './produce-topic-records.use-case';
import { DEFAULT_PROXY_TOPICS, PROXY_KEY_FIELDS } from './proxy-topics';

/** The media type of Confluent's REST proxy v2 JSON embedded format, accepted beside plain JSON. */
export const KAFKA_JSON_V2 = 'application/vnd.kafka.json.v2+json';

type RequestHeaders = Record<string, string | string[] | undefined>;

/** `POST /topics/:topic/records`: a REST-proxy style write, validated against the topic's contract. */
@ApiTags('topics')
@Controller('topics')
export class TopicRecordsController {
  constructor(
    private readonly produceRecords: ProduceTopicRecordsUseCase,
    @Inject(CLIENT_IDENTIFIER) private readonly identify: ClientIdentifier,
  ) {}

  @Post(':topic/records')
  @AcceptContentTypes('application/json', KAFKA_JSON_V2)
  @MaxBodyBytes(MAX_BODY_BYTES)
  @ApiOperation({
    summary: 'Produce records to a topic, REST-proxy style',
    description: `Body \`{ records: [{ key?, value, headers? }] }\` (1-${MAX_RECORDS_PER_REQUEST} records). Writable topics: ${DEFAULT_PROXY_TOPICS.join(', ')} by default (PROXY_TOPICS; may add ${Object.keys(PROXY_KEY_FIELDS).join(', ')}); a topic another service produces is refused with 403 naming its owner. Each value must satisfy the topic's contract; the key is the value's entity id (a different key is refused). Answers \`{ offsets: [{ partition, offset, timestamp, status, error_code, error }] }\`: 200 all written, 202 ack=none, 207 some refused, 400 none valid. Same ack and Idempotency-Key semantics as POST /events.`,
  })
  @ApiParam({ name: 'topic', example: 'events.user-activity.v1' })
  @ApiQuery({ name: 'ack', required: false, enum: ['all', 'none'] })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['records'],
      properties: {
        records: {
          type: 'array',
          minItems: 1,
          maxItems: MAX_RECORDS_PER_REQUEST,
          items: {
            type: 'object',
            required: ['value'],
            properties: {
              key: { type: 'string', nullable: true },
              value: { type: 'object' },
              headers: { type: 'object', additionalProperties: { type: 'string' } },
            },
          },
        },
      },
    },
  })
  @ApiResponse({ status: 200, description: 'Every record acknowledged by Kafka.' })
  @ApiResponse({ status: 202, description: 'Handed to the producer (ack=none).' })
  @ApiResponse({
    status: 207,
    description: 'Some records refused or failed; see `offsets[].status`.',
  })
  @ApiResponse({
    status: 400,
    description: 'No record valid, or a bad envelope.',
    schema: ERROR_BODY_SCHEMA,
  })
  @ApiResponse({
    status: 403,
    description: 'A topic another service produces (TOPIC_OWNED_BY_OTHER_SERVICE, naming it).',
    schema: ERROR_BODY_SCHEMA,
  })
  @ApiResponse({
    status: 404,
    description: 'Unknown topic, or one clients may not write.',
    schema: ERROR_BODY_SCHEMA,
  })
  @ApiResponse({
    status: 415,
    description: `Content-Type is neither application/json nor ${KAFKA_JSON_V2}.`,
    schema: ERROR_BODY_SCHEMA,
  })
  @ApiResponse({ status: 503, description: 'Kafka unavailable.', schema: ERROR_BODY_SCHEMA })
  async produce(
    @Param('topic') topic: string,
    @Body() body: unknown,
    @Query('ack') ack: unknown,
    @Headers() headers: RequestHeaders,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const result = await this.produceRecords.execute({
      client: this.identify(request),
      topic,
      body,
      mode: parseDeliveryMode(ack),
      traceparent: traceparentOf(headers['traceparent']),
      idempotencyKey: idempotencyKeyOf(headers[IDEMPOTENCY_HEADER]),
    });
    sendReply(reply, result);
  }
}
