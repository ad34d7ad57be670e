const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function isJsonWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * The bytes of each element of a top-level JSON array, exactly as they were sent (surrounding
 * whitespace trimmed), so a dead-lettered reading of a gateway batch keeps its original bytes.
 * Scans bytes, not characters: every structural character of JSON is ASCII, and no byte of a
 * multi-byte UTF-8 sequence is below 0x80. The input must be a valid JSON array (parse first).
 */
export function jsonArraySlices(payload: Uint8Array): Buffer[] {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let i = 0;
  if (UTF8_BOM.every((b, k) => bytes[k] === b)) i = UTF8_BOM.length;
  while (isJsonWhitespace(bytes[i])) i += 1;
  if (bytes[i] !== OPEN_BRACKET) throw new SyntaxError('not a JSON array');
  i += 1;
  const slices: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let start = i;
  for (; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
      continue;
    }
    if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) depth += 1;
    else if (depth > 0 && (byte === CLOSE_BRACKET || byte === CLOSE_BRACE)) depth -= 1;
    else if (depth === 0 && (byte === COMMA || byte === CLOSE_BRACKET)) {
      const element = trimmed(bytes, start, i);
      // `[]` has no element; `[ ]` neither.
      if (element.length > 0 || byte === COMMA) slices.push(element);
      if (byte === CLOSE_BRACKET) return slices;
      start = i + 1;
    }
  }
  throw new SyntaxError('unterminated JSON array');
}

function trimmed(bytes: Buffer, from: number, to: number): Buffer {
  let start = from;
  let end = to;
  while (start < end && isJsonWhitespace(bytes[start])) start += 1;
  while (end > start && isJsonWhitespace(bytes[end - 1])) end -= 1;
  return bytes.subarray(start, end);
}
