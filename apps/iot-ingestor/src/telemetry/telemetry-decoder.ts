import {
  decodeUtf8,
  formatIssues,
  telemetryReadingContract,
  validate,
  type ContractIssue,
  type TelemetryRecord,
} from '@streamline/contracts';
import type { TopicDevice } from '../mqtt/device-topic';
import { jsonArraySlices } from './json-array-slices';
import { TELEMETRY_FAULTS, type TelemetryFault, type TelemetryFaultKind } from './telemetry-faults';

export interface TelemetryDecodeLimits {
  maxPayloadBytes: number;
  /** A reading whose `ts` is further ahead of `now` is invalid. */
  maxFutureMs: number;
}

/** A valid reading, ready for Kafka, with the bytes it came from (dead-lettered if Kafka refuses it). */
export interface DecodedReading {
  record: TelemetryRecord;
  source: Buffer;
}

/** One MQTT message decoded: the readings to produce and the faults to dead-letter. */
export interface DecodedTelemetry {
  readings: DecodedReading[];
  faults: TelemetryFault[];
}

/**
 * Decodes one telemetry payload: UTF-8 JSON holding a reading or an array of readings (a
 * gateway batch). The device comes from the topic; a payload `deviceId` that disagrees is
 * invalid, as is a `ts` more than `maxFutureMs` ahead. A fault of the whole message (not UTF-8,
 * not JSON, too large, an empty batch) dead-letters the whole payload; in a batch, valid
 * readings go on and each invalid one is dead-lettered alone, its index in the reason. Pure.
 */
export function decodeTelemetry(
  device: TopicDevice,
  payload: Buffer,
  now: number,
  limits: TelemetryDecodeLimits,
): DecodedTelemetry {
  const whole = (kind: TelemetryFaultKind, message: string): DecodedTelemetry => ({
    readings: [],
    faults: [{ kind, message, value: payload }],
  });
  if (!device.safe) {
    return whole(
      TELEMETRY_FAULTS.INVALID_TOPIC,
      `topic level "${device.deviceId}" is not a device id (1-128 of A-Z, a-z, 0-9, "_", "-")`,
    );
  }
  if (payload.length > limits.maxPayloadBytes) {
    return whole(
      TELEMETRY_FAULTS.PAYLOAD_TOO_LARGE,
      `payload of ${payload.length} bytes exceeds the limit of ${limits.maxPayloadBytes} bytes`,
    );
  }
  const text = decodeUtf8(payload);
  if (!text.ok) return whole(TELEMETRY_FAULTS.INVALID_UTF8, formatIssues(text.issues));
  let json: unknown;
  try {
    json = JSON.parse(text.value);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return whole(TELEMETRY_FAULTS.INVALID_JSON, `payload is not valid JSON: ${reason}`);
  }
  const check = (value: unknown, source: Buffer, index?: number) =>
    checkReading(value, source, index, device.deviceId, now, limits.maxFutureMs);
  if (!Array.isArray(json)) return collect([check(json, payload)]);
  if (json.length === 0) {
    return whole(
      TELEMETRY_FAULTS.CONTRACT_VIOLATION,
      'empty batch: at least one reading is required',
    );
  }
  const slices = jsonArraySlices(payload);
  return collect(json.map((value, i) => check(value, slices[i] ?? payload, i)));
}

type Checked = { ok: true; reading: DecodedReading } | { ok: false; fault: TelemetryFault };

function collect(results: Checked[]): DecodedTelemetry {
  const decoded: DecodedTelemetry = { readings: [], faults: [] };
  for (const result of results) {
    if (result.ok) decoded.readings.push(result.reading);
    else decoded.faults.push(result.fault);
  }
  return decoded;
}

function checkReading(
  value: unknown,
  source: Buffer,
  index: number | undefined,
  deviceId: string,
  now: number,
  maxFutureMs: number,
): Checked {
  const fault = (kind: TelemetryFaultKind, issues: readonly ContractIssue[]): Checked => ({
    ok: false,
    fault: { kind, message: formatIssues(atIndex(issues, index)), value: source },
  });
  const result = validate(telemetryReadingContract, value);
  if (!result.ok) return fault(TELEMETRY_FAULTS.CONTRACT_VIOLATION, result.issues);
  const reading = result.value;
  if (reading.deviceId !== undefined && reading.deviceId !== deviceId) {
    const message = `"${reading.deviceId}" disagrees with the MQTT topic device "${deviceId}"`;
    return fault(TELEMETRY_FAULTS.DEVICE_ID_MISMATCH, [
      { path: 'deviceId', message, code: 'custom' },
    ]);
  }
  const ahead = reading.ts - now;
  if (ahead > maxFutureMs) {
    const message = `${new Date(reading.ts).toISOString()} is ${ahead} ms ahead of the ingestor clock (at most ${maxFutureMs} ms allowed)`;
    return fault(TELEMETRY_FAULTS.TIMESTAMP_IN_FUTURE, [{ path: 'ts', message, code: 'too_big' }]);
  }
  const record: TelemetryRecord = {
    deviceId,
    ts: reading.ts,
    ...(reading.seq !== undefined ? { seq: reading.seq } : {}),
    metrics: reading.metrics,
    ingestedAt: now,
  };
  return { ok: true, reading: { record, source } };
}

/** Prefixes each path with the reading's index in its batch: `[3].metrics.temp`. */
function atIndex(issues: readonly ContractIssue[], index: number | undefined): ContractIssue[] {
  if (index === undefined) return [...issues];
  return issues.map((issue) => ({
    ...issue,
    path: issue.path === '' ? `[${index}]` : `[${index}].${issue.path}`,
  }));
}
