import type { Contract } from './contract';
import { alertContract } from './messages/alert/alert.schema';
import {
  cdcEnvelopeContract,
  deviceChangeContract,
} from './messages/cdc-envelope/cdc-envelope.schema';
import {
  devicePresenceContract,
  deviceStatusContract,
} from './messages/device-presence/device-presence.schema';
import {
  deviceContract,
  deviceCreateInputContract,
  deviceUpdateInputContract,
} from './messages/device/device.schema';
import { lateReadingContract } from './messages/late-reading/late-reading.schema';
import {
  telemetryWindow5mContract,
  telemetryWindowContract,
} from './messages/telemetry-window/telemetry-window.schema';
import { telemetryContract, telemetryReadingContract } from './messages/telemetry/telemetry.schema';
import {
  userActivityContract,
  userActivityInputContract,
} from './messages/user-activity/user-activity.schema';
import { userSessionContract } from './messages/user-session/user-session.schema';

/** Every contract of the system, e.g. to publish all JSON Schemas in a service's docs. */
export const CONTRACTS: readonly Contract[] = [
  telemetryReadingContract,
  telemetryContract,
  userActivityInputContract,
  userActivityContract,
  deviceCreateInputContract,
  deviceUpdateInputContract,
  deviceContract,
  cdcEnvelopeContract,
  deviceChangeContract,
  telemetryWindowContract,
  telemetryWindow5mContract,
  lateReadingContract,
  userSessionContract,
  alertContract,
  devicePresenceContract,
  deviceStatusContract,
];

/** The contract named by a `schema` header value such as `iot.telemetry/1`, if there is one. */
export function contractBySchemaId(schemaId: string): Contract | undefined {
  return CONTRACTS.find((c) => c.schemaId === schemaId);
}
