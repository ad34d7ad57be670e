import { timestampSchema, validateSchema } from '@streamline/contracts';
import {
  KeysetCursor,
  pageLimitSchema,
  validateRequest,
  type Validator,
} from '@streamline/platform';
import { z } from 'zod';
import { DEAD_LETTER_STATUSES, type DeadLetterFilter } from './dead-letter-row';

/** Pages of dead letters, newest first: the cursor carries the last id of a page. */
export const DEAD_LETTER_PAGES = new KeysetCursor('GET /dead-letters', (id) =>
  /^\d{1,18}$/.test(id),
);

const text = z.string().min(1).max(512);
/** Epoch ms (digits) or ISO-8601, as epoch ms. */
const instant = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v),
  timestampSchema,
);

/** The filter fields, shared by the list query and the bulk replay body. */
export const filterShape = {
  topic: text.optional(),
  service: text.optional(),
  errorClass: text.optional(),
  status: z.enum(DEAD_LETTER_STATUSES).optional(),
  since: instant.optional(),
  until: instant.optional(),
};

const listQuerySchema = z
  .object({
    ...filterShape,
    limit: pageLimitSchema,
    cursor: DEAD_LETTER_PAGES.schema.optional(),
  })
  .strict();

/** Zod as a platform validator: faults become 400s naming the field, as for contracts. */
export function zodValidator<T>(schema: z.ZodType<T>): Validator<T> {
  return (value) => validateSchema(schema, value);
}

export interface ListQuery {
  filter: DeadLetterFilter;
  limit: number;
  beforeId?: string;
}

/** Parses `GET /dead-letters`' query; 400 naming the faulty parameter. */
export function parseListQuery(query: unknown): ListQuery {
  const parsed = validateRequest(zodValidator(listQuerySchema), query ?? {});
  const { limit, cursor, ...filter } = parsed;
  return {
    filter: toFilter(filter),
    limit,
    ...(cursor === undefined ? {} : { beforeId: cursor }),
  };
}

/** The filter of parsed filter fields (times as epoch ms). */
export function toFilter(fields: {
  topic?: string;
  service?: string;
  errorClass?: string;
  status?: DeadLetterFilter['status'];
  since?: number;
  until?: number;
}): DeadLetterFilter {
  const filter: DeadLetterFilter = {};
  if (fields.topic !== undefined) filter.topic = fields.topic;
  if (fields.service !== undefined) filter.service = fields.service;
  if (fields.errorClass !== undefined) filter.errorClass = fields.errorClass;
  if (fields.status !== undefined) filter.status = fields.status;
  if (fields.since !== undefined) filter.since = fields.since;
  if (fields.until !== undefined) filter.until = fields.until;
  return filter;
}

/** A dead-letter id from a path; 400 when it is not one. */
export function parseId(id: string): string {
  return validateRequest(
    zodValidator(z.string().regex(/^\d{1,18}$/, { message: 'must be a dead-letter id' })),
    id,
    'id',
  );
}
