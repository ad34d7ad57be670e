import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeysetPage, ERROR_BODY_SCHEMA } from '@streamline/platform';
import { parseId } from './dead-letter-query';
import { DEAD_LETTER_ITEM_SCHEMA, type DeadLetterItem } from './dead-letter-view';
import type { DeadLetterStats } from './dead-letters.repository';
import { InspectDeadLettersUseCase, type DeadLetterPage } from './inspect-dead-letters.use-case';
import { ReplayDeadLetterUseCase, type ReplayAnswer } from '../replay/replay-dead-letter.use-case';

/** Inspection, single replay and discard of stored dead letters. */
@ApiTags('dead-letters')
@ApiResponse({
  status: 400,
  description: 'Invalid query, id or body; `issues` name each field and reason.',
  schema: ERROR_BODY_SCHEMA,
})
@Controller('dead-letters')
export class DeadLettersController {
  constructor(
    private readonly inspect: InspectDeadLettersUseCase,
    private readonly replays: ReplayDeadLetterUseCase,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List dead letters, newest first, a page at a time',
    description:
      'Keyset pagination: pass `nextCursor` as `cursor` for the next page (null on the last). Stable while dead letters arrive.',
  })
  @ApiQuery({ name: 'topic', required: false, description: 'Origin topic (Kafka or mqtt:<topic>)' })
  @ApiQuery({ name: 'service', required: false, description: 'dlq.service' })
  @ApiQuery({ name: 'errorClass', required: false, description: 'dlq.error.class' })
  @ApiQuery({ name: 'status', required: false, enum: ['new', 'replayed', 'discarded'] })
  @ApiQuery({
    name: 'since',
    required: false,
    description: 'Last failure at/after: epoch ms or ISO-8601',
  })
  @ApiQuery({
    name: 'until',
    required: false,
    description: 'Last failure before: epoch ms or ISO-8601',
  })
  @ApiKeysetPage(DEAD_LETTER_ITEM_SCHEMA)
  list(@Query() query: Record<string, unknown>): Promise<DeadLetterPage> {
    return this.inspect.list(query);
  }

  @Get('stats')
  @ApiOperation({
    summary: 'Counts by origin topic, error class and status; age of the oldest new one',
  })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        total: { type: 'integer' },
        byStatus: { type: 'object', additionalProperties: { type: 'integer' } },
        groups: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              originTopic: { type: 'string' },
              errorClass: { type: 'string', nullable: true },
              status: { type: 'string' },
              count: { type: 'integer' },
            },
          },
        },
        oldestNewAgeSeconds: { type: 'number', nullable: true },
      },
    },
  })
  stats(): Promise<DeadLetterStats> {
    return this.inspect.stats();
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a dead letter' })
  @ApiResponse({ status: 200, schema: DEAD_LETTER_ITEM_SCHEMA })
  @ApiResponse({ status: 404, description: 'No such dead letter.', schema: ERROR_BODY_SCHEMA })
  get(@Param('id') id: string): Promise<DeadLetterItem> {
    return this.inspect.get(id);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replay a dead letter',
    description:
      'Re-publishes key, value and original headers (without retry.*/dlq.* ones) to the origin topic or `targetTopic` (required when the origin is not a Kafka topic), with `dlq.replay-count` and `dlq.replay-of`. A corrected `value` is validated against the target topic contract (or the record schema header) first; the original stays in the store.',
  })
  @ApiBody({
    required: false,
    schema: {
      type: 'object',
      properties: {
        targetTopic: { type: 'string' },
        value: { description: 'Corrected value (JSON)' },
      },
    },
  })
  @ApiResponse({
    status: 200,
    description: 'Written; where.',
    schema: {
      type: 'object',
      properties: {
        topic: { type: 'string' },
        partition: { type: 'integer' },
        offset: { type: 'string' },
      },
    },
  })
  @ApiResponse({ status: 404, description: 'No such dead letter.', schema: ERROR_BODY_SCHEMA })
  @ApiResponse({
    status: 409,
    description: 'Discarded, or replayed DLQ_MAX_REPLAYS times already (loop guard).',
    schema: ERROR_BODY_SCHEMA,
  })
  replay(@Param('id') id: string, @Body() body: unknown): Promise<ReplayAnswer> {
    return this.replays.replay(parseId(id), body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Discard a dead letter (kept, with an audit row; never replayed)' })
  @ApiResponse({ status: 200, schema: DEAD_LETTER_ITEM_SCHEMA })
  @ApiResponse({ status: 404, description: 'No such dead letter.', schema: ERROR_BODY_SCHEMA })
  discard(@Param('id') id: string): Promise<DeadLetterItem> {
    return this.replays.discard(parseId(id));
  }
}
