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

// ---- hot-path series -------------------------------------------------------------------------
// prom-client checks and hashes the label values on every inc() and observe(), bound children
// included; on a per-request path that costs more than the rest of the bookkeeping. A caller that
// can name a series by a key of its own (built from values it has anyway) records into a plain
// object here instead; the metric takes the counts over when it is read (a scrape, or get()),
// through its collect hook. A scrape shows the same series and counts as if every call had gone
// to prom-client directly (sums up to floating-point rounding: they are added in another order),
// only in another order of series.

type Labels<L extends string> = Partial<Record<L, string | number>>;

/** One series of a counter: inc() adds to a number that the next read of the metric takes. */
export class CounterSeries<L extends string> {
  pending = 0;
  constructor(readonly labels: Labels<L>) {}
  inc(n = 1): void {
    this.pending += n;
  }
}

/** One series of a histogram: observe() counts into its buckets, taken by the next read of the metric. */
export class HistogramSeries<L extends string> {
  sum = 0;
  count = 0;
  /** Observations per upper bound (index into the metric's bounds), since the last read. */
  readonly buckets: number[];
  constructor(
    readonly labels: Labels<L>,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Array<number>(bounds.length).fill(0);
  }
  observe(v: number): void {
    if (!Number.isFinite(v)) throw new TypeError(`Value is not a valid number: ${v}`);
    this.sum += v;
    this.count++;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        this.buckets[i]++;
        return;
      }
    }
  }
}

/** prom-client's per-series state of a histogram (lib/histogram.js), which a read exports. */
interface HistogramEntry {
  labels: Record<string, string | number>;
  bucketValues: Record<string, number>;
  sum: number;
  count: number;
}
interface HistogramState {
  hashMap: Record<string, HistogramEntry>;
  upperBounds: number[];
}

/** What prom-client calls before every read of a metric (a constructor option, settable later). */
type Collectable = { collect?: () => void; name: string };

export class KeyedCounter<L extends string> {
  private readonly series = new Map<string, CounterSeries<L>>();
  constructor(private readonly metric: Counter<L>) {
    (metric as unknown as Collectable).collect = () => this.flush();
  }
  get(key: string, labels: () => Labels<L>): CounterSeries<L> {
    let s = this.series.get(key);
    if (s === undefined) {
      s = new CounterSeries<L>(labels());
      this.series.set(key, s);
    }
    return s;
  }
  flush(): void {
    for (const s of this.series.values()) {
      if (s.pending === 0) continue;
      this.metric.inc(s.labels, s.pending);
      s.pending = 0;
    }
  }
}

export class KeyedHistogram<L extends string> {
  private readonly series = new Map<string, HistogramSeries<L>>();
  private readonly state: HistogramState;
  private readonly name: string;
  constructor(private readonly metric: Histogram<L>) {
    this.state = metric as unknown as HistogramState;
    this.name = (metric as unknown as Collectable).name;
    if (typeof this.state.hashMap !== 'object' || !Array.isArray(this.state.upperBounds)) {
      throw new Error(`histogram ${this.name}: prom-client's internal state is not as expected`);
    }
    (metric as unknown as Collectable).collect = () => this.flush();
  }
  get(key: string, labels: () => Labels<L>): HistogramSeries<L> {
    let s = this.series.get(key);
    if (s === undefined) {
      s = new HistogramSeries<L>(labels(), this.state.upperBounds);
      this.series.set(key, s);
    }
    return s;
  }
  /** prom-client's entry for these label values, created (zeroed) if it has none. */
  private entry(labels: Labels<L>): HistogramEntry {
    const find = () => Object.values(this.state.hashMap).find((e) => sameLabels(e.labels, labels));
    let e = find();
    if (e === undefined) {
      this.metric.zero(labels as never);
      e = find();
      if (e === undefined) throw new Error(`histogram ${this.name}: no series after zero()`);
    }
    return e;
  }
  flush(): void {
    const bounds = this.state.upperBounds;
    for (const s of this.series.values()) {
      if (s.count === 0) continue;
      const e = this.entry(s.labels);
      e.sum += s.sum;
      e.count += s.count;
      for (let i = 0; i < bounds.length; i++) {
        if (s.buckets[i] === 0) continue;
        e.bucketValues[bounds[i]] += s.buckets[i];
        s.buckets[i] = 0;
      }
      s.sum = 0;
      s.count = 0;
    }
  }
}

function sameLabels(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (String(a[k]) !== String(b[k])) return false;
  return true;
}

const keyedCounters = new WeakMap<object, KeyedCounter<string>>();
const keyedHistograms = new WeakMap<object, KeyedHistogram<string>>();

/**
 * The keyed series of a counter (one per metric in the process: it owns the metric's collect
 * hook). get(key, labels) finds a series by the caller's own key, created with labels() on first
 * use; one key must always name the same label values.
 */
export function keyedCounter<L extends string>(metric: Counter<L>): KeyedCounter<L> {
  let k = keyedCounters.get(metric) as KeyedCounter<L> | undefined;
  if (k === undefined) {
    k = new KeyedCounter<L>(metric);
    keyedCounters.set(metric, k as unknown as KeyedCounter<string>);
  }
  return k;
}

/** As keyedCounter, for a histogram. */
export function keyedHistogram<L extends string>(metric: Histogram<L>): KeyedHistogram<L> {
  let k = keyedHistograms.get(metric) as KeyedHistogram<L> | undefined;
  if (k === undefined) {
    k = new KeyedHistogram<L>(metric);
    keyedHistograms.set(metric, k as unknown as KeyedHistogram<string>);
  }
  return k;
}
