// An event sink under a token bucket, as upstream's kubelet writes events: through a separate
// client built with QPS eventRecordQPS and Burst eventBurst (cmd/kubelet/app/server.go), so each
// create or patch waits for a token. A burst of events goes out at once while the bucket holds
// tokens, then one every 1/qps s: delayed, never dropped (the broadcaster drops an event only
// when its queue is full) and in order, since the broadcaster writes one event at a time.
import { realClock, sleep, type Clock } from '../clock.js';
import { TokenBucket } from '../workqueue/token-bucket.js';
import type { EventSink } from './types.js';

export interface EventRateLimit {
  /** Writes per second; 0 (or less) is no limit. */
  qps: number;
  /** Writes allowed at once before the rate applies. */
  burst: number;
}

/**
 * `sink` with its writes rate-limited; with no limit (qps ≤ 0) it is `sink` itself. Once `unlimit`
 * is aborted (the agent is stopping and flushes its queue) nothing waits any more: a stop must not
 * take queue length / qps seconds.
 */
export function rateLimitedEventSink(sink: EventSink, limit: EventRateLimit, clock: Clock = realClock, unlimit?: AbortSignal): EventSink {
  if (!(limit.qps > 0)) return sink;
  const bucket = new TokenBucket(limit.qps, Math.max(1, limit.burst), clock.monotonic());
  // Kept alive like a request in flight: a delayed event is still written before the process may exit.
  const token = async () => {
    const wait = bucket.reserve(clock.monotonic());
    if (wait > 0) await sleep(clock, wait, unlimit, { keepAlive: true });
  };
  return {
    async create(event) {
      await token();
      return sink.create(event);
    },
    async patch(event, patch) {
      await token();
      return sink.patch(event, patch);
    },
  };
}
