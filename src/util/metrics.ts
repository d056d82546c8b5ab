// The process-wide Prometheus registry every component registers into, and the text the
// /metrics handlers serve. Metric constructors are get-or-create: several API servers (or
// controllers) in one process — as in tests — share one series set instead of failing with
// "metric already registered".
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';

export const metricsRegistry = new Registry();

// process_cpu_seconds_total, process_resident_memory_bytes, nodejs_eventloop_lag_seconds, …
collectDefaultMetrics({ register: metricsRegistry });

/** The Content-Type to serve metricsText() with (Prometheus text format 0.0.4). */
export const metricsContentType: string = metricsRegistry.contentType;

/** The exposition text of every registered metric. */
export function metricsText(): Promise<string> {
  return metricsRegistry.metrics();
}

export interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
}

function existing<T extends Metric>(name: string, kind: new (...args: never[]) => T): T | undefined {
  const found = metricsRegistry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!(found instanceof kind)) throw new Error(`metric ${name} is already registered as another type`);
  return found;
}

export function counter<L extends string = string>(opts: MetricOptions<L>): Counter<L> {
  return (
    existing<Counter<L>>(opts.name, Counter) ??
    new Counter<L>({ name: opts.name, help: opts.help, labelNames: opts.labelNames ?? [], registers: [metricsRegistry] })
  );
}

export function gauge<L extends string = string>(opts: MetricOptions<L>): Gauge<L> {
  return (
    existing<Gauge<L>>(opts.name, Gauge) ??
    new Gauge<L>({ name: opts.name, help: opts.help, labelNames: opts.labelNames ?? [], registers: [metricsRegistry] })
  );
}

export function histogram<L extends string = string>(opts: MetricOptions<L> & { buckets?: number[] }): Histogram<L> {
  return (
    existing<Histogram<L>>(opts.name, Histogram) ??
    new Histogram<L>({
      name: opts.name,
      help: opts.help,
      labelNames: opts.labelNames ?? [],
      buckets: opts.buckets,
      registers: [metricsRegistry],
    })
  );
}

/**
 * Constructors that prefix names with the component (the Prometheus "subsystem"), so
 * `componentMetrics('apiserver').counter({ name: 'request_total', … })` is
 * apiserver_request_total, as upstream names it.
 */
export function componentMetrics(component: string) {
  const prefixed = <O extends { name: string }>(o: O): O => ({ ...o, name: `${component}_${o.name}` });
  return {
    counter: <L extends string = string>(o: MetricOptions<L>) => counter<L>(prefixed(o)),
    gauge: <L extends string = string>(o: MetricOptions<L>) => gauge<L>(prefixed(o)),
    histogram: <L extends string = string>(o: MetricOptions<L> & { buckets?: number[] }) => histogram<L>(prefixed(o)),
  };
}
