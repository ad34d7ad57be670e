/**
 * The input contracts of ARCHITECTURE.md ("Messages"), checked independently of the
 * generators so the specs catch a generator that drifts from them. Each returns the
 * list of problems; an empty list means valid.
 */

const DEVICE_ID = /^[A-Za-z0-9_-]{1,128}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** ISO-8601 with a time zone, or epoch milliseconds. */
export function isEventTime(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0;
  return typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value));
}

/** One reading of `iot.telemetry/1` as it may arrive on `sensors/<topicDeviceId>/telemetry`. */
export function telemetryProblems(reading: unknown, topicDeviceId: string): string[] {
  if (!isRecord(reading)) return ['not an object'];
  const problems: string[] = [];
  const deviceId = reading['deviceId'];
  if (deviceId !== undefined) {
    if (typeof deviceId !== 'string' || !DEVICE_ID.test(deviceId)) problems.push('bad deviceId');
    else if (deviceId !== topicDeviceId) problems.push('deviceId disagrees with the topic');
  }
  if (!isEventTime(reading['ts'])) problems.push('bad ts');
  const seq = reading['seq'];
  if (seq !== undefined && !(Number.isInteger(seq) && (seq as number) >= 0))
    problems.push('bad seq');
  const metrics = reading['metrics'];
  if (!isRecord(metrics) || Object.keys(metrics).length === 0) problems.push('no metrics');
  else if (!Object.values(metrics).every((v) => typeof v === 'number' && Number.isFinite(v))) {
    problems.push('metric not a number');
  }
  return problems;
}

/** A whole MQTT telemetry payload: one reading or a gateway's array of them. */
export function telemetryPayloadProblems(payload: string, topicDeviceId: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return ['not JSON'];
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return ['empty array'];
    return parsed.flatMap((reading) => telemetryProblems(reading, topicDeviceId));
  }
  return telemetryProblems(parsed, topicDeviceId);
}

/** One event of `user-activity/1` as POST /events accepts it. */
export function userEventProblems(event: unknown): string[] {
  if (!isRecord(event)) return ['not an object'];
  const problems: string[] = [];
  const eventId = event['eventId'];
  if (eventId !== undefined && (typeof eventId !== 'string' || eventId === ''))
    problems.push('bad eventId');
  const userId = event['userId'];
  if (typeof userId !== 'string' || userId === '') problems.push('bad userId');
  const type = event['type'];
  if (typeof type !== 'string' || type === '') problems.push('bad type');
  if (!isEventTime(event['ts'])) problems.push('bad ts');
  const properties = event['properties'];
  if (properties !== undefined && !isRecord(properties)) problems.push('properties not an object');
  return problems;
}
