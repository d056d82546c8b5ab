// metrics-server's storage and decoding, as table tests of its cases (pkg/storage/*_test.go):
// usage needs two points, CPU is the counter's rise over the window, a counter or start time
// going back yields nothing, a restarted container starts over, a fresh container's start is its
// first point, and a pod needs every container's two points.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBatch, type MetricsBatch, type MetricsPoint } from '../../../src/apiserver/metrics/decode.js';
import { parsePrometheusText } from '../../../src/apiserver/metrics/prometheus-text.js';
import { MetricsStorage, resourceUsage } from '../../../src/apiserver/metrics/storage.js';

const S = 1000;
const point = (timestampMs: number, cpuSeconds: number, memory = 100, startTimeMs = 0): MetricsPoint => ({ startTimeMs, timestampMs, cumulativeCpuNs: cpuSeconds * 1e9, memoryBytes: memory });
const batch = (node: MetricsPoint | undefined, containers: Record<string, MetricsPoint> = {}): Map<string, MetricsBatch> =>
  new Map([['n1', { node, pods: Object.keys(containers).length ? [{ namespace: 'ns', name: 'p', containers: new Map(Object.entries(containers)) }] : [] }]]);

describe('metrics-server usage', () => {
  const cases: { name: string; last: MetricsPoint; prev: MetricsPoint; want: { cpuNanoCores: number; windowMs: number } | undefined }[] = [
    { name: 'one core for 10 s is 1e9 nanocores over a 10 s window', last: point(20 * S, 15), prev: point(10 * S, 5), want: { cpuNanoCores: 1e9, windowMs: 10 * S } },
    { name: 'a quarter core', last: point(12 * S, 1.5), prev: point(10 * S, 1), want: { cpuNanoCores: 2.5e8, windowMs: 2 * S } },
    { name: 'a counter that went back yields nothing', last: point(20 * S, 1), prev: point(10 * S, 5), want: undefined },
    { name: 'a start time that went back yields nothing', last: point(20 * S, 6, 100, 1), prev: point(10 * S, 5, 100, 5), want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const u = resourceUsage(c.last, c.prev);
      assert.deepEqual(u && { cpuNanoCores: u.cpuNanoCores, windowMs: u.windowMs }, c.want);
    });
  }
});

describe('metrics-server storage', () => {
  it('a node has usage from its second newer point on; an older or equal point keeps the stored ones', () => {
    const s = new MetricsStorage(15 * S);
    s.store(batch(point(10 * S, 5)));
    assert.equal(s.nodeUsage('n1'), undefined);
    s.store(batch(point(20 * S, 10, 300)));
    assert.deepEqual(s.nodeUsage('n1'), { cpuNanoCores: 5e8, memoryBytes: 300, timestampMs: 20 * S, windowMs: 10 * S });
    s.store(batch(point(20 * S, 10, 300)));
    assert.equal(s.nodeUsage('n1')?.windowMs, 10 * S);
    s.store(batch(undefined));
    assert.equal(s.nodeUsage('n1'), undefined, 'a node missing from a scrape is forgotten');
  });

  it('a pod needs two points of every container; its time is its earliest container\'s', () => {
    const s = new MetricsStorage(15 * S);
    s.store(batch(undefined, { a: point(10 * S, 1) }));
    s.store(batch(undefined, { a: point(20 * S, 2), b: point(20 * S, 1) }));
    assert.equal(s.podUsage('ns', 'p'), undefined);
    s.store(batch(undefined, { a: point(30 * S, 3), b: point(29 * S, 2) }));
    const u = s.podUsage('ns', 'p')!;
    assert.deepEqual(u.containers.map((c) => [c.name, c.usage.cpuNanoCores]), [['a', 1e8], ['b', 1e8 / 0.9]].map(([n, v]) => [n, Math.floor(v as number)]));
    assert.deepEqual([u.timestampMs, u.windowMs], [29 * S, 9 * S]);
  });

  it('a container that restarted after the stored point starts over', () => {
    const s = new MetricsStorage(15 * S);
    s.store(batch(undefined, { a: point(10 * S, 5, 100, 1 * S) }));
    s.store(batch(undefined, { a: point(20 * S, 1, 100, 15 * S) }));
    assert.equal(s.podUsage('ns', 'p'), undefined);
  });

  it('a fresh container (started 10 s to one resolution ago) counts from its start with zero CPU', () => {
    const s = new MetricsStorage(60 * S);
    s.store(batch(undefined, { a: point(100 * S, 6, 100, 80 * S) }));
    assert.deepEqual(s.podUsage('ns', 'p')?.containers[0]?.usage, { cpuNanoCores: 3e8, memoryBytes: 100, timestampMs: 100 * S, windowMs: 20 * S });
  });
});

describe('decoding /metrics/resource', () => {
  it('reads node and container points with their timestamps; a container without memory is dropped; pod_* is not read', () => {
    const text = [
      '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
      '# TYPE node_cpu_usage_seconds_total counter',
      'node_cpu_usage_seconds_total 357.35491 1633253812125',
      'node_memory_working_set_bytes 1.616896e+09 1633253812125',
      'container_cpu_usage_seconds_total{container="c",namespace="ns",pod="p"} 4.710169 1633253812125',
      'container_memory_working_set_bytes{container="c",namespace="ns",pod="p"} 1.1214848e+07 1633253812125',
      'container_start_time_seconds{container="c",namespace="ns",pod="p"} 1.6332538e+09 1633253800000',
      'container_cpu_usage_seconds_total{container="nomem",namespace="ns",pod="p"} 1 1633253812125',
      'pod_cpu_usage_seconds_total{namespace="ns",pod="p"} 99 1633253812125',
      'scrape_error 0',
    ].join('\n');
    const b = decodeBatch(parsePrometheusText(text));
    assert.deepEqual(b.node, { startTimeMs: 0, timestampMs: 1633253812125, cumulativeCpuNs: 357354910000, memoryBytes: 1616896000 });
    assert.equal(b.pods.length, 1);
    assert.deepEqual([...b.pods[0]!.containers.entries()], [['c', { startTimeMs: 1633253800000, timestampMs: 1633253812125, cumulativeCpuNs: 4710169000, memoryBytes: 11214848 }]]);
  });

  it('label values are unescaped', () => {
    assert.deepEqual(parsePrometheusText('m{a="x\\"y\\\\z",b="1"} 2 3')[0], { name: 'm', labels: { a: 'x"y\\z', b: '1' }, value: 2, timestampMs: 3 });
  });
});
