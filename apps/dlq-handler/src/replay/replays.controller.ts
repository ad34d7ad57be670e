import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ERROR_BODY_SCHEMA } from '@streamline/platform';
import type { FastifyReply } from 'fastify';
import { BulkReplayUseCase, type ReplayProgress } from './bulk-replay.use-case';

const FILTER_PROPERTIES = {
  topic: { type: 'string', description: 'Origin topic' },
  service: { type: 'string' },
  errorClass: { type: 'string' },
  status: { type: 'string', enum: ['new', 'replayed'], default: 'new' },
  since: { description: 'Last failure at/after: epoch ms or ISO-8601' },
  until: { description: 'Last failure before: epoch ms or ISO-8601' },
};

/** Bulk replays: started by filter, run on the DLQ_REPLAY work queue, followed by id. */
@ApiTags('replays')
@ApiResponse({
  status: 400,
  description: 'Invalid body or id; `issues` name each field.',
  schema: ERROR_BODY_SCHEMA,
})
@Controller()
export class ReplaysController {
  constructor(private readonly bulk: BulkReplayUseCase) {}

  @Post('dead-letters/replay')
  @ApiOperation({
    summary: 'Replay every dead letter a filter selects',
    description:
      '`dryRun: true` answers the counts and changes nothing. Otherwise 202 with the replayId: the replay runs once, on one instance, resuming after a crash without sending anything twice. Discarded dead letters and those at the replay limit are skipped.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        ...FILTER_PROPERTIES,
        targetTopic: { type: 'string' },
        dryRun: { type: 'boolean', default: false },
      },
    },
  })
  @ApiResponse({
    status: 202,
    schema: { type: 'object', properties: { replayId: { type: 'string', format: 'uuid' } } },
  })
  @ApiResponse({
    status: 200,
    description: 'Dry run: counts only.',
    schema: {
      type: 'object',
      properties: {
        dryRun: { type: 'boolean' },
        matched: { type: 'integer' },
        replayable: { type: 'integer' },
        overLimit: { type: 'integer' },
        noTarget: { type: 'integer' },
      },
    },
  })
  async start(@Body() body: unknown, @Res() reply: FastifyReply): Promise<void> {
    const answer = await this.bulk.start(body);
    void reply.status('dryRun' in answer ? 200 : 202).send(answer);
  }

  @Get('replays/:id')
  @ApiOperation({ summary: 'Progress of a bulk replay' })
  @ApiResponse({ status: 200, description: 'pending | running | completed | failed, with counts.' })
  @ApiResponse({ status: 404, description: 'No such replay.', schema: ERROR_BODY_SCHEMA })
  progress(@Param('id') id: string): Promise<ReplayProgress> {
    return this.bulk.progress(id);
  }
}
