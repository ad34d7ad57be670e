import { headers as natsHeaders, NatsError, type MsgHdrs } from 'nats';

/** NATS headers as a plain record; the last value wins when a header repeats. */
export function natsHeadersToRecord(headers: MsgHdrs | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const key of headers.keys()) out[key] = headers.last(key);
  return out;
}

/** A plain record as NATS headers (keys kept exactly as given). */
export function recordToNatsHeaders(record: Readonly<Record<string, string>>): MsgHdrs {
  const out = natsHeaders();
  for (const [key, value] of Object.entries(record)) out.set(key, value);
  return out;
}

/** JetStream API error codes this library reacts to (server `err_code`). */
export const JETSTREAM_ERROR_CODES = {
  STREAM_NOT_FOUND: 10059,
  CONSUMER_NOT_FOUND: 10014,
} as const;

/** Whether a JetStream API call failed because the stream or consumer does not exist. */
export function isJetStreamNotFound(error: unknown): boolean {
  if (!(error instanceof NatsError)) return false;
  const code = error.api_error?.err_code;
  return (
    code === JETSTREAM_ERROR_CODES.STREAM_NOT_FOUND ||
    code === JETSTREAM_ERROR_CODES.CONSUMER_NOT_FOUND
  );
}
