import { isSafeDeviceId } from '@streamline/contracts';
import { stripSharePrefix } from '@streamline/messaging';

/** The device level of a topic: `safe` when it may be used as a key, subject token and KV key. */
export interface TopicDevice {
  deviceId: string;
  safe: boolean;
}

/**
 * Reads the device id from topics matched by a filter whose one `+` level is the device
 * (`sensors/+/telemetry`, or a test's `it-x/sensors/+/telemetry`), so prefixed topic spaces
 * work the same as the ARCHITECTURE names.
 */
export class DeviceTopicPattern {
  private readonly levels: readonly string[];
  private readonly deviceLevel: number;

  constructor(readonly filter: string) {
    this.levels = stripSharePrefix(filter).split('/');
    this.deviceLevel = this.levels.indexOf('+');
    if (this.deviceLevel < 0 || this.levels.includes('#')) {
      throw new RangeError(`filter "${filter}" needs one "+" device level and no "#"`);
    }
  }

  /** The device named by `topic`, or undefined when the topic does not match the filter. */
  deviceOf(topic: string): TopicDevice | undefined {
    // One split per message: this runs for every reading.
    const parts = topic.split('/');
    if (parts.length !== this.levels.length) return undefined;
    for (let i = 0; i < parts.length; i += 1) {
      const level = this.levels[i];
      if (level === '+' ? i === 0 && topic.startsWith('$') : level !== parts[i]) return undefined;
    }
    const deviceId = parts[this.deviceLevel] ?? '';
    return { deviceId, safe: isSafeDeviceId(deviceId) };
  }
}
