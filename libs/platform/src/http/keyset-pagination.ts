import { applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/** The page sizes of every list endpoint: `limit` 1-500, default 50. */
export const PAGE_SIZE = { DEFAULT: 50, MAX: 500 } as const;

/** `limit` of a list query (query strings are text, so it is coerced). */
export const pageLimitSchema = z.coerce
  .number()
  .int()
  .min(1)
  .max(PAGE_SIZE.MAX)
  .default(PAGE_SIZE.DEFAULT);

/** One page of a list and the cursor of the next (null on the last page). */
export interface KeysetPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Keyset pagination of one list. A cursor is the last key of a page, tagged with the list and
 * base64url-encoded so clients treat it as opaque (its form can change without breaking them).
 * Unlike offsets, pages stay stable while rows are added or removed: the next page starts
 * strictly after the key, so nothing is skipped or repeated.
 */
export class KeysetCursor {
  private readonly prefix: string;
  /** `cursor` of a list query, parsed to the key it continues after; a forged one is an issue. */
  readonly schema;

  /**
   * @param list names the list in error messages and inside its cursors, e.g. `GET /devices`.
   * @param isKey says whether a decoded key can be one of this list's keys.
   */
  constructor(
    readonly list: string,
    private readonly isKey: (key: string) => boolean,
  ) {
    this.prefix = `${list}:`;
    this.schema = z
      .string()
      .max(1_024)
      .transform((cursor, ctx) => {
        const key = this.decode(cursor);
        if (key !== undefined) return key;
        ctx.addIssue({ code: 'custom', message: `not a cursor returned by ${list}` });
        return z.NEVER;
      });
  }

  encode(key: string): string {
    return Buffer.from(this.prefix + key).toString('base64url');
  }

  /** The key a cursor continues after; undefined for a cursor this list did not issue. */
  decode(cursor: string): string | undefined {
    const text = Buffer.from(cursor, 'base64url').toString();
    if (!text.startsWith(this.prefix)) return undefined;
    const key = text.slice(this.prefix.length);
    return this.isKey(key) ? key : undefined;
  }

  /**
   * The page of rows read with `limit + 1`: the extra row only tells that another page exists
   * (no COUNT), and the cursor points after the page's last row.
   */
  page<R>(rows: readonly R[], limit: number, keyOf: (row: R) => string): KeysetPage<R> {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const more = rows.length > limit && last !== undefined;
    return { items, nextCursor: more ? this.encode(keyOf(last)) : null };
  }
}

/** OpenAPI of a list endpoint: its `limit` and `cursor` query parameters and the page it answers. */
export function ApiKeysetPage(itemSchema: SchemaObject): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      description: `1-${PAGE_SIZE.MAX}, default ${PAGE_SIZE.DEFAULT}`,
    }),
    ApiQuery({
      name: 'cursor',
      required: false,
      description: '`nextCursor` of the previous page',
    }),
    ApiResponse({
      status: 200,
      schema: {
        type: 'object',
        properties: {
          items: { type: 'array', items: itemSchema },
          nextCursor: { type: 'string', nullable: true },
        },
      },
    }),
  );
}
