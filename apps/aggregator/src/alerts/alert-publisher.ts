import { alertContract, type Thresholds } from '@streamline/contracts';
import type { JetStreamPublisher } from '@streamline/messaging';
import type { WindowAggregate } from '../windowing/telemetry-windows';
import type { DeviceThresholdTable } from './device-thresholds.table';
import { alertsOf } from './threshold-rules';

/**
 * The stream-table join: each closed 1-minute window against its device's thresholds (or the
 * default set). Alerts go to JetStream BEFORE the Kafka transaction that closes the window
 * commits, each with `Nats-Msg-Id` = its alert id: a crash after the commit loses none, and the
 * re-run after an abort publishes the same ids, which the stream's duplicate window drops.
 */
export class AlertPublisher {
  published = 0;
  duplicates = 0;

  constructor(
    private readonly jetstream: JetStreamPublisher,
    private readonly table: DeviceThresholdTable,
    private readonly options: { stream: string; subjectPrefix: string; defaults: Thresholds },
  ) {}

  async publishFor(windows: readonly WindowAggregate[]): Promise<void> {
    // Thresholds are only trusted once the table has caught up with the registry.
    await this.table.ready;
    const alerts = windows.flatMap((w) =>
      alertsOf(w, this.table.thresholdsOf(w.deviceId), this.options.defaults),
    );
    const acks = await Promise.all(
      alerts.map((alert) =>
        this.jetstream.publish(alertContract, {
          subject: `${this.options.subjectPrefix}${alert.deviceId}`,
          value: alert,
          msgId: alert.alertId,
          expectStream: this.options.stream,
        }),
      ),
    );
    for (const ack of acks) {
      if (ack.duplicate) this.duplicates += 1;
      else this.published += 1;
    }
  }
}
