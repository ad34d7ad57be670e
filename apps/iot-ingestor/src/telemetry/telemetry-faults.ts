/**
 * Why a telemetry payload (or one reading of a batch) was dead-lettered: the `dlq.error.class`
 * header, and the `reason` label of `iot_ingestor_invalid_total`.
 */
export const TELEMETRY_FAULTS = {
  INVALID_TOPIC: { errorClass: 'InvalidTopicError', reason: 'invalid_topic' },
  PAYLOAD_TOO_LARGE: { errorClass: 'PayloadTooLargeError', reason: 'payload_too_large' },
  INVALID_UTF8: { errorClass: 'InvalidUtf8Error', reason: 'invalid_utf8' },
  INVALID_JSON: { errorClass: 'InvalidJsonError', reason: 'invalid_json' },
  CONTRACT_VIOLATION: { errorClass: 'ContractViolationError', reason: 'contract_violation' },
  DEVICE_ID_MISMATCH: { errorClass: 'DeviceIdMismatchError', reason: 'device_id_mismatch' },
  TIMESTAMP_IN_FUTURE: { errorClass: 'TimestampInFutureError', reason: 'timestamp_in_future' },
  /** Kafka refused a valid reading itself (not a passing fault): it is kept in the DLQ instead. */
  KAFKA_REJECTED: { errorClass: 'KafkaSendRejectedError', reason: 'kafka_rejected' },
} as const;

export type TelemetryFaultKind = (typeof TELEMETRY_FAULTS)[keyof typeof TELEMETRY_FAULTS];

/** Something to dead-letter: the original bytes, the kind of fault and the reason with its path. */
export interface TelemetryFault {
  kind: TelemetryFaultKind;
  /** `[3].ts: …` for a reading of a batch, `ts: …` for a single reading, plain text otherwise. */
  message: string;
  /** The whole payload, or the exact bytes of one reading of a batch. */
  value: Buffer;
}
