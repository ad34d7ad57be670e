import { isSafeDeviceId } from '@streamline/contracts';
import { RequestValidationError } from '@streamline/platform';

/**
 * Keyset pagination by id: the cursor is the last id of the previous page, base64url-encoded so
 * clients treat it as opaque (and it can change form later without breaking them).
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId })).toString('base64url');
}

/** The id a cursor continues after; a cursor this service did not issue is a 400. */
export function decodeCursor(cursor: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const after = (decoded as { after?: unknown } | null)?.after;
    if (isSafeDeviceId(after)) return after;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  throw new RequestValidationError([
    {
      path: 'query.cursor',
      reason: 'not a cursor returned by GET /devices',
      code: 'invalid_format',
    },
  ]);
}
