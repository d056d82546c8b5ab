// metav1.Time's JSON form: RFC 3339 in UTC with whole seconds.
export { formatMetaTime as formatTime } from '../../api/canonical-time.js';

/**
 * The hex UnixNano suffix of event names (`<object>.<hex>`). Our clock has millisecond resolution,
 * so within one millisecond the nanoseconds are counted up, process-wide: two events (plain or
 * aggregated, from any recorder here) never share a name — a shared name would make the second
 * create fail with AlreadyExists and the event vanish.
 */
let lastNanos = 0n;

export function nextNameSuffix(ms: number): string {
  let n = BigInt(Math.floor(ms)) * 1_000_000n;
  if (n <= lastNanos) n = lastNanos + 1n;
  lastNanos = n;
  return n.toString(16);
}

// formatMicroTime's last second, as "YYYY-MM-DDTHH:MM:SS." (events come many to a second).
let microSecond = NaN;
let microPrefix = '';

/** metav1.MicroTime's JSON form (eventTime, series.lastObservedTime): RFC 3339 in UTC with six fractional digits. */
export function formatMicroTime(ms: number): string {
  const t = Math.floor(ms);
  // Beyond the range of Date (or NaN): toISOString throws.
  if (!(Math.abs(t) <= 8.64e15)) return new Date(t).toISOString();
  const second = Math.floor(t / 1000);
  if (second !== microSecond) {
    // toISOString ends in ".sssZ".
    microPrefix = new Date(second * 1000).toISOString().slice(0, -4);
    microSecond = second;
  }
  const milli = t - second * 1000;
  return `${microPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}000Z`;
}
