// Work queue metrics with upstream's names (k8s.io/component-base/metrics/prometheus/workqueue),
// labelled by queue name. A queue without a name records nothing, as upstream's noop provider.
import { counter, gauge, histogram } from '../../util/metrics.js';
import type { Clock } from '../clock.js';

/** What a queue reports; the queue calls these under its own bookkeeping, in this order per item: add → get → done. */
export interface QueueMetrics<T> {
  add(item: T): void;
  get(item: T): void;
  done(item: T): void;
  /** A delayed (re-)add: AddAfter and AddRateLimited. */
  retry(): void;
  /** Refreshes the gauges that depend on time passing (unfinished work, longest running processor). */
  updateUnfinishedWork(): void;
}

export const noopQueueMetrics: QueueMetrics<unknown> = {
  add() {},
  get() {},
  done() {},
  retry() {},
  updateUnfinishedWork() {},
};

// prometheus.ExponentialBuckets(10e-9, 10, 10): 10ns … 10s.
const latencyBuckets = Array.from({ length: 10 }, (_, i) => 1e-8 * 10 ** i);

function series() {
  const labelNames = ['name'] as const;
  return {
    depth: gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames }),
    adds: counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames }),
    latency: histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested.',
      labelNames,
      buckets: latencyBuckets,
    }),
    workDuration: histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes.',
      labelNames,
      buckets: latencyBuckets,
    }),
    unfinished: gauge({
      name: 'workqueue_unfinished_work_seconds',
      help:
        "How many seconds of work has done that is in progress and hasn't been observed by work_duration. " +
        'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
      labelNames,
    }),
    longest: gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running.',
      labelNames,
    }),
    retries: counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames }),
  };
}

/** Prometheus metrics for the queue called `name`. Times come from clock so tests can check durations exactly. */
export function prometheusQueueMetrics<T>(name: string, clock: Clock): QueueMetrics<T> {
  const s = series();
  const labels = { name };
  // When each queued item was first added, and when each item in processing was handed out.
  const addTimes = new Map<T, number>();
  const processingStart = new Map<T, number>();
  // Touch every series so a fresh queue exports zeros instead of nothing.
  s.depth.set(labels, 0);
  s.adds.inc(labels, 0);
  s.retries.inc(labels, 0);
  s.unfinished.set(labels, 0);
  s.longest.set(labels, 0);
  return {
    add(item) {
      s.adds.inc(labels);
      s.depth.inc(labels);
      if (!addTimes.has(item)) addTimes.set(item, clock.now());
    },
    get(item) {
      s.depth.dec(labels);
      const now = clock.now();
      processingStart.set(item, now);
      const added = addTimes.get(item);
      if (added !== undefined) {
        s.latency.observe(labels, (now - added) / 1000);
        addTimes.delete(item);
      }
    },
    done(item) {
      const started = processingStart.get(item);
      if (started !== undefined) {
        s.workDuration.observe(labels, (clock.now() - started) / 1000);
        processingStart.delete(item);
      }
    },
    retry() {
      s.retries.inc(labels);
    },
    updateUnfinishedWork() {
      const now = clock.now();
      let total = 0;
      let oldest = 0;
      for (const started of processingStart.values()) {
        const age = (now - started) / 1000;
        total += age;
        if (age > oldest) oldest = age;
      }
      s.unfinished.set(labels, total);
      s.longest.set(labels, oldest);
    },
  };
}
