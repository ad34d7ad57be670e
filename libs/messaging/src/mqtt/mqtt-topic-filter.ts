const SHARE_PREFIX = '$share/';

/** `$share/<group>/<filter>` → `<filter>`; other filters unchanged. */
export function stripSharePrefix(filter: string): string {
  if (!filter.startsWith(SHARE_PREFIX)) return filter;
  const afterGroup = filter.indexOf('/', SHARE_PREFIX.length);
  return afterGroup < 0 ? '' : filter.slice(afterGroup + 1);
}

/** The share group of a `$share/<group>/<filter>` subscription, or undefined. */
export function shareGroupOf(filter: string): string | undefined {
  if (!filter.startsWith(SHARE_PREFIX)) return undefined;
  const afterGroup = filter.indexOf('/', SHARE_PREFIX.length);
  return afterGroup < 0 ? undefined : filter.slice(SHARE_PREFIX.length, afterGroup);
}

/**
 * Whether a topic matches a subscription filter (MQTT 4.7: `+` one level, `#` the rest,
 * including the parent level). Topics starting with `$` never match a leading wildcard.
 */
export function matchesTopicFilter(filter: string, topic: string): boolean {
  const levels = stripSharePrefix(filter).split('/');
  const topicLevels = topic.split('/');
  if (topic.startsWith('$') && (levels[0] === '+' || levels[0] === '#')) return false;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level === '#') return i === levels.length - 1;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return levels.length === topicLevels.length;
}

/** A filter mqtt.js and the broker accept: wildcards whole levels, `#` last, a share group named. */
export function isValidTopicFilter(filter: string): boolean {
  if (filter.startsWith(SHARE_PREFIX) && !shareGroupOf(filter)) return false;
  const inner = stripSharePrefix(filter);
  if (inner.length === 0) return false;
  const levels = inner.split('/');
  return levels.every((level, i) => {
    if (level.includes('#')) return level === '#' && i === levels.length - 1;
    if (level.includes('+')) return level === '+';
    return true;
  });
}
