import { randomBytes } from 'node:crypto';

/** A name no earlier run used: tests create their own topics, databases and streams with it. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
