// metrics-server's storage (pkg/storage): the last two points of every node and container, and
// usage computed from them — CPU = the rise of the cumulative counter over the time between the
// two points (the window), memory = the newer working set. A point replaces the stored one only
// when it is newer; a container whose start time moved (a restart) starts over. A container that
// started less than one resolution ago (but at least 10 s ago) gets its start as the previous
// point, with zero CPU, so a fresh pod has usage after one scrape rather than two.
import type { MetricsBatch, MetricsPoint } from './decode.js';

/** metrics-server's freshContainerMinMetricsResolution. */
const FRESH_CONTAINER_MIN_MS = 10_000;

export interface Usage {
  /** CPU in nanocores. */
  cpuNanoCores: number;
  memoryBytes: number;
  /** Time of the newer point, ms. */
  timestampMs: number;
  /** Time between the two points, ms. */
  windowMs: number;
}

/** metrics-server's resourceUsage; undefined where it returns an error (a counter or start going back). */
export function resourceUsage(last: MetricsPoint, prev: MetricsPoint): Usage | undefined {
  if (last.startTimeMs < prev.startTimeMs || last.cumulativeCpuNs < prev.cumulativeCpuNs) return undefined;
  const windowMs = last.timestampMs - prev.timestampMs;
  if (windowMs <= 0) return undefined;
  return { cpuNanoCores: Math.floor((last.cumulativeCpuNs - prev.cumulativeCpuNs) / (windowMs / 1000)), memoryBytes: last.memoryBytes, timestampMs: last.timestampMs, windowMs };
}

/** The stored point moves to prev when the new one is newer; otherwise the old prev stays if still older. */
function nextPrev(newPoint: MetricsPoint, last: MetricsPoint | undefined, prev: MetricsPoint | undefined): MetricsPoint | undefined {
  if (!last) return undefined;
  if (newPoint.timestampMs > last.timestampMs) return last;
  return prev && prev.timestampMs < newPoint.timestampMs ? prev : undefined;
}

export class MetricsStorage {
  private nodeLast = new Map<string, MetricsPoint>();
  private nodePrev = new Map<string, MetricsPoint>();
  /** "namespace/name" → container → point */
  private podLast = new Map<string, Map<string, MetricsPoint>>();
  private podPrev = new Map<string, Map<string, MetricsPoint>>();

  constructor(private readonly resolutionMs: number) {}

  /** Stores one scrape of every node (nodes missing from it are forgotten, as metrics-server does). */
  store(batches: Map<string, MetricsBatch>): void {
    const nodeLast = new Map<string, MetricsPoint>();
    const nodePrev = new Map<string, MetricsPoint>();
    const podLast = new Map<string, Map<string, MetricsPoint>>();
    const podPrev = new Map<string, Map<string, MetricsPoint>>();
    for (const [nodeName, batch] of batches) {
      if (batch.node) {
        nodeLast.set(nodeName, batch.node);
        const prev = nextPrev(batch.node, this.nodeLast.get(nodeName), this.nodePrev.get(nodeName));
        if (prev) nodePrev.set(nodeName, prev);
      }
      for (const pod of batch.pods) {
        const key = `${pod.namespace}/${pod.name}`;
        if (podLast.has(key)) continue;
        const last = new Map<string, MetricsPoint>();
        const prevs = new Map<string, MetricsPoint>();
        for (const [name, point] of pod.containers) {
          last.set(name, point);
          const age = point.timestampMs - point.startTimeMs;
          if (point.startTimeMs < point.timestampMs && age < this.resolutionMs && age >= FRESH_CONTAINER_MIN_MS) {
            prevs.set(name, { ...point, timestampMs: point.startTimeMs, cumulativeCpuNs: 0 });
            continue;
          }
          const stored = this.podLast.get(key)?.get(name);
          // A restarted container (started after the stored point) starts over.
          if (!stored || point.startTimeMs >= stored.timestampMs) continue;
          const prev = nextPrev(point, stored, this.podPrev.get(key)?.get(name));
          if (prev) prevs.set(name, prev);
        }
        podLast.set(key, last);
        if (prevs.size) podPrev.set(key, prevs);
      }
    }
    this.nodeLast = nodeLast;
    this.nodePrev = nodePrev;
    this.podLast = podLast;
    this.podPrev = podPrev;
  }

  nodeUsage(name: string): Usage | undefined {
    const last = this.nodeLast.get(name);
    const prev = this.nodePrev.get(name);
    return last && prev ? resourceUsage(last, prev) : undefined;
  }

  /** Each container's usage, or undefined unless every container has two points (as metrics-server). */
  podUsage(namespace: string, name: string): { containers: { name: string; usage: Usage }[]; timestampMs: number; windowMs: number } | undefined {
    const key = `${namespace}/${name}`;
    const last = this.podLast.get(key);
    const prev = this.podPrev.get(key);
    if (!last || !prev) return undefined;
    const containers: { name: string; usage: Usage }[] = [];
    let earliest: Usage | undefined;
    for (const [cname, point] of last) {
      const p = prev.get(cname);
      if (!p) return undefined;
      const usage = resourceUsage(point, p);
      if (!usage) continue;
      containers.push({ name: cname, usage });
      if (!earliest || usage.timestampMs < earliest.timestampMs) earliest = usage;
    }
    return { containers, timestampMs: earliest?.timestampMs ?? 0, windowMs: earliest?.windowMs ?? 0 };
  }

  clear(): void {
    this.store(new Map());
  }
}
