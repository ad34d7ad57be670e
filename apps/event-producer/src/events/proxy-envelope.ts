import { z } from 'zod';

/** Header names a client may not set: the contract's own, and those the failure path reads. */
const RESERVED_HEADER = /^(content-type|schema|traceparent|retry\..*|dlq\..*)$/i;

const headerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,128}$/, { message: 'header names are 1-128 of [A-Za-z0-9._-]' })
  .refine((name) => !RESERVED_HEADER.test(name), {
    message:
      'reserved: content-type, schema and traceparent come from the contract and request; retry.* and dlq.* belong to the failure path',
  });

/** One record of a REST-proxy request: `value` is checked against the topic's contract later. */
export const proxyRecordSchema = z.strictObject({
  /** Must equal the entity id of the value (userId, deviceId) when given. */
  key: z.string().nullable().optional(),
  value: z.unknown().refine((value) => value !== undefined, { message: 'required' }),
  headers: z
    .record(headerNameSchema, z.string().max(1024, { message: 'at most 1024 characters' }))
    .refine((headers) => Object.keys(headers).length <= 16, { message: 'at most 16 headers' })
    .optional(),
});

/** `POST /topics/:topic/records` body, the shape of Confluent's REST proxy v2. */
export const proxyEnvelopeSchema = z.strictObject({
  records: z.array(z.unknown()).min(1, { message: 'at least one record is required' }),
});

export type ProxyRecord = z.output<typeof proxyRecordSchema>;
