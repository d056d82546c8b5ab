// metrics-server's decoding of a kubelet's /metrics/resource (pkg/scraper/client/resource/
// decode.go): the node's and each container's cumulative CPU (ns), working set and the time they
// were measured; pod_* series are not read (a pod's usage is the sum of its containers'). A point
// without both CPU and memory, or without a timestamp, is dropped, as metrics-server drops it.
import type { Sample } from './prometheus-text.js';

export interface MetricsPoint {
  /** When the node/container started (ms; 0 when unknown): its cumulative CPU was 0 then. */
  startTimeMs: number;
  /** When CPU was measured (ms). */
  timestampMs: number;
  /** Cumulative CPU time, ns. */
  cumulativeCpuNs: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

export interface PodPoint {
  namespace: string;
  name: string;
  /** container name → point */
  containers: Map<string, MetricsPoint>;
}

export interface MetricsBatch {
  node?: MetricsPoint;
  pods: PodPoint[];
}

interface Partial {
  startTimeMs: number;
  timestampMs?: number;
  cpu?: number;
  memory?: number;
}

const complete = (p: Partial): MetricsPoint | undefined =>
  p.cpu === undefined || p.memory === undefined || !p.timestampMs ? undefined : { startTimeMs: p.startTimeMs, timestampMs: p.timestampMs, cumulativeCpuNs: p.cpu, memoryBytes: p.memory };

export function decodeBatch(samples: Sample[]): MetricsBatch {
  const node: Partial = { startTimeMs: 0 };
  const containers = new Map<string, { namespace: string; pod: string; container: string; point: Partial }>();
  const containerOf = (s: Sample) => {
    const { namespace = '', pod = '', container = '' } = s.labels;
    const key = JSON.stringify([namespace, pod, container]);
    let c = containers.get(key);
    if (!c) containers.set(key, (c = { namespace, pod, container, point: { startTimeMs: 0 } }));
    return c.point;
  };
  for (const s of samples) {
    switch (s.name) {
      case 'node_cpu_usage_seconds_total':
        node.cpu = Math.round(s.value * 1e9);
        node.timestampMs = s.timestampMs;
        break;
      case 'node_memory_working_set_bytes':
        node.memory = s.value;
        break;
      case 'container_cpu_usage_seconds_total': {
        const p = containerOf(s);
        p.cpu = Math.round(s.value * 1e9);
        p.timestampMs = s.timestampMs;
        break;
      }
      case 'container_memory_working_set_bytes':
        containerOf(s).memory = s.value;
        break;
      case 'container_start_time_seconds':
        containerOf(s).startTimeMs = Math.round(s.value * 1000);
        break;
    }
  }
  const pods = new Map<string, PodPoint>();
  for (const c of containers.values()) {
    const point = complete(c.point);
    if (!point) continue;
    const key = `${c.namespace}/${c.pod}`;
    let pod = pods.get(key);
    if (!pod) pods.set(key, (pod = { namespace: c.namespace, name: c.pod, containers: new Map() }));
    pod.containers.set(c.container, point);
  }
  return { node: complete(node), pods: [...pods.values()] };
}
