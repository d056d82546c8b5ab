// Reports events dropped because the broadcaster's queue was full. Under a burst (a scheduler
// binding hundreds of pods a second) every event can be dropped for a while; one error line per
// drop then costs more than the events themselves (a synchronous write to stderr each), so the
// drops are counted and reported at most once a second.
import type { Logger } from '../../util/log.js';
import type { Clock } from '../clock.js';

export type DroppedEventReporter = (reason: string, object: string | undefined) => void;

export function droppedEventReporter(log: Logger, clock: Clock, intervalMs = 1000): DroppedEventReporter {
  let dropped = 0;
  let lastReport = -Infinity;
  return (reason, object) => {
    dropped++;
    const now = clock.monotonic();
    if (now - lastReport < intervalMs) return;
    log.error({ reason, object, dropped }, 'unable to record event: too many queued events, dropped event');
    lastReport = now;
    dropped = 0;
  };
}
