import type { AggregatorConfig } from '../config/aggregator.config';
import type { SessionSpec } from '../windowing/session-windows';
import type { TelemetryWindowSpec } from '../windowing/telemetry-windows';

/** What the pipeline needs of the configuration, derived once. */
export interface PipelineSettings {
  service: string;
  topics: {
    telemetry: string;
    activity: string;
    windows1m: string;
    windows5m: string;
    sessions: string;
    late: string;
    changelog: string;
  };
  windows: TelemetryWindowSpec;
  sessions: SessionSpec;
  idleMs: number;
  futureToleranceMs: number;
  emitMode: 'final' | 'update';
}

export function pipelineSettingsOf(service: string, c: AggregatorConfig): PipelineSettings {
  return {
    service,
    topics: {
      telemetry: c.AGG_TELEMETRY_TOPIC,
      activity: c.AGG_ACTIVITY_TOPIC,
      windows1m: c.AGG_WINDOWS_1M_TOPIC,
      windows5m: c.AGG_WINDOWS_5M_TOPIC,
      sessions: c.AGG_SESSIONS_TOPIC,
      late: c.AGG_LATE_TOPIC,
      changelog: c.AGG_CHANGELOG_TOPIC,
    },
    windows: {
      tumblingMs: c.AGG_TUMBLING_MS,
      hoppingMs: c.AGG_HOPPING_MS,
      advanceMs: c.AGG_HOPPING_ADVANCE_MS,
      graceMs: c.AGG_GRACE_MS,
    },
    sessions: { gapMs: c.AGG_SESSION_GAP_MS, graceMs: c.AGG_GRACE_MS },
    idleMs: c.AGG_IDLE_MS,
    futureToleranceMs: c.AGG_FUTURE_TOLERANCE_MS,
    emitMode: c.AGG_EMIT_MODE,
  };
}
