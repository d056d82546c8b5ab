// The kubelet's resource metrics endpoint, /metrics/resource (upstream
// pkg/kubelet/metrics/collectors/resource_metrics.go): the CPU and memory figures metrics-server
// scrapes, in the Prometheus text format, each sample stamped with the time it was measured (ms
// since the epoch), as the Go collector's NewLazyMetricWithTimestamp does. Families are written
// in name order and label names sorted, as the Go registry writes them; a sample is left out when
// its figure is unknown, and scrape_error (and its stable twin resource_scrape_error) is 1 when
// the stats could not be read at all.
import type { ContainerStats, PodStats, Summary } from './types.js';

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  stability: 'ALPHA' | 'STABLE';
  type: 'counter' | 'gauge';
  samples: { labels: Labels; value: number; at?: number }[];
}

const FAMILIES: Omit<Family, 'samples'>[] = [
  { name: 'container_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the container in core-seconds', stability: 'STABLE', type: 'counter' },
  { name: 'container_memory_working_set_bytes', help: 'Current working set of the container in bytes', stability: 'STABLE', type: 'gauge' },
  { name: 'container_start_time_seconds', help: 'Start time of the container since unix epoch in seconds', stability: 'STABLE', type: 'gauge' },
  { name: 'node_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the node in core-seconds', stability: 'STABLE', type: 'counter' },
  { name: 'node_memory_working_set_bytes', help: 'Current working set of the node in bytes', stability: 'STABLE', type: 'gauge' },
  { name: 'pod_cpu_usage_seconds_total', help: 'Cumulative cpu time consumed by the pod in core-seconds', stability: 'STABLE', type: 'counter' },
  { name: 'pod_memory_working_set_bytes', help: 'Current working set of the pod in bytes', stability: 'STABLE', type: 'gauge' },
  { name: 'resource_scrape_error', help: '1 if there was an error while getting container metrics, 0 otherwise', stability: 'STABLE', type: 'gauge' },
  { name: 'scrape_error', help: '1 if there was an error while getting container metrics, 0 otherwise', stability: 'ALPHA', type: 'gauge' },
];

/** Label values escaped as the text format asks (backslash, quote, newline). */
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * A float as client_golang writes it: strconv.FormatFloat(v, 'g', -1, 64), the shortest digits,
 * in exponent form (two-digit exponent at least) when the exponent is < -4 or >= 6 — so
 * 12345678 is "1.2345678e+07", as a Go exporter prints it.
 */
export function goFloat(v: number): string {
  if (v === 0) return '0';
  const [mantissa, expText] = v.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(v);
}

function render(f: Family): string {
  const lines = [`# HELP ${f.name} [${f.stability}] ${f.help}`, `# TYPE ${f.name} ${f.type}`];
  const samples = [...f.samples].sort((a, b) => JSON.stringify(Object.entries(a.labels)) < JSON.stringify(Object.entries(b.labels)) ? -1 : 1);
  for (const s of samples) {
    const names = Object.keys(s.labels).sort();
    const labels = names.length ? `{${names.map((n) => `${n}="${escape(s.labels[n]!)}"`).join(',')}}` : '';
    lines.push(`${f.name}${labels} ${goFloat(s.value)}${s.at === undefined ? '' : ` ${Math.round(s.at)}`}`);
  }
  return lines.join('\n');
}

/**
 * The /metrics/resource body for a cpu-and-memory summary taken at `at` (ms), or for a failed
 * read (`undefined`). Each sample carries `at`: the summary's own times have second precision.
 */
export function resourceMetricsText(stats: { at: number; summary: Summary } | undefined): string {
  const families = new Map(FAMILIES.map((f) => [f.name, { ...f, samples: [] } as Family]));
  const add = (name: string, value: number | undefined, labels: Labels = {}, at?: number) => {
    if (value !== undefined && Number.isFinite(value)) families.get(name)!.samples.push({ labels, value, at });
  };
  const error = stats === undefined ? 1 : 0;
  add('scrape_error', error);
  add('resource_scrape_error', error);
  if (stats) {
    const { at, summary } = stats;
    const node = summary.node;
    add('node_cpu_usage_seconds_total', seconds(node.cpu?.usageCoreNanoSeconds), {}, at);
    add('node_memory_working_set_bytes', node.memory?.workingSetBytes, {}, at);
    for (const pod of summary.pods) {
      for (const c of pod.containers) addContainer(add, pod, c, at);
      const podLabels = { pod: pod.podRef.name, namespace: pod.podRef.namespace };
      add('pod_cpu_usage_seconds_total', seconds(pod.cpu?.usageCoreNanoSeconds), podLabels, at);
      add('pod_memory_working_set_bytes', pod.memory?.workingSetBytes, podLabels, at);
    }
  }
  // Families without samples are not written, as the Go registry leaves them out.
  return `${[...families.values()].filter((f) => f.samples.length).map(render).join('\n')}\n`;
}

const seconds = (ns: number | undefined) => (ns === undefined ? undefined : ns / 1e9);

function addContainer(add: (name: string, value: number | undefined, labels: Labels, at?: number) => void, pod: PodStats, c: ContainerStats, at: number): void {
  const labels = { container: c.name, pod: pod.podRef.name, namespace: pod.podRef.namespace };
  const started = Date.parse(c.startTime);
  // The start time is stamped with itself, as upstream's collectContainerStartTime.
  if (started > 0) add('container_start_time_seconds', started / 1000, labels, started);
  add('container_cpu_usage_seconds_total', seconds(c.cpu?.usageCoreNanoSeconds), labels, at);
  add('container_memory_working_set_bytes', c.memory?.workingSetBytes, labels, at);
}
