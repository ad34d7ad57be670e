import { defineContract } from '@streamline/contracts';
import { z } from 'zod';

/** A command on the DLQ_REPLAY work queue: run this bulk replay (its filter is in Postgres). */
export const replayCommandContract = defineContract(
  'dlq.replay-command',
  1,
  z.object({ replayId: z.uuid() }).strict(),
);

export type ReplayCommand = z.output<typeof replayCommandContract.schema>;
