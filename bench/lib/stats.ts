// Order statistics for latency samples and per-run figures.

/** The p-quantile (0..1) of values by nearest rank; NaN for an empty sample. */
export function percentile(values: readonly number[], p: number, sorted = false): number {
  if (values.length === 0) return NaN;
  const v = sorted ? values : [...values].sort((a, b) => a - b);
  const rank = Math.ceil(p * v.length) - 1;
  return v[Math.min(v.length - 1, Math.max(0, rank))];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const v = [...values].sort((a, b) => a - b);
  const sum = v.reduce((a, b) => a + b, 0);
  return {
    count: v.length,
    p50: percentile(v, 0.5, true),
    p90: percentile(v, 0.9, true),
    p99: percentile(v, 0.99, true),
    max: v.length ? v[v.length - 1] : NaN,
    mean: v.length ? sum / v.length : NaN,
  };
}

/** Rounds for display and JSON: 3 significant decimals below 10, 1 below 1000, integers above. */
export function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  const d = a < 10 ? 3 : a < 1000 ? 1 : 0;
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
