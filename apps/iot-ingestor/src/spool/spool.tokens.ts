/** Injection token of the TelemetrySpool (present in spool mode only). */
export const TELEMETRY_SPOOL = Symbol('TELEMETRY_SPOOL');
/** Injection token of the SpoolDrainer (spool mode only). */
export const SPOOL_DRAINER = Symbol('SPOOL_DRAINER');
