// /metrics/resource: the text upstream's resource metrics collector writes for a summary (its
// test's golden output shape: families by name, labels sorted, ms timestamps, Go float format).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goFloat, resourceMetricsText } from '../../../src/kubelet/stats/resource-metrics.js';
import type { Summary } from '../../../src/kubelet/stats/types.js';

const at = Date.parse('2024-05-01T10:00:00.123Z');
const time = '2024-05-01T10:00:00Z';

const summary: Summary = {
  node: { nodeName: 'n1', cpu: { time, usageCoreNanoSeconds: 10_000_000_000 }, memory: { time, workingSetBytes: 1000 } },
  pods: [
    {
      podRef: { name: 'pod_a', namespace: 'namespace_a', uid: 'u1' },
      containers: [
        { name: 'container_a', startTime: '2024-05-01T09:00:00Z', cpu: { time, usageCoreNanoSeconds: 1_500_000_000 }, memory: { time, workingSetBytes: 12345678 } },
        { name: 'container_b', startTime: '2024-05-01T09:30:00Z' },
      ],
      cpu: { time, usageCoreNanoSeconds: 1_500_000_000 },
      memory: { time, workingSetBytes: 12345678 },
    },
  ],
};

describe('kubelet /metrics/resource', () => {
  it('writes node, pod and container series with the measurement time, leaving out unknown figures', () => {
    assert.equal(
      resourceMetricsText({ at, summary }),
      [
        '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
        '# TYPE container_cpu_usage_seconds_total counter',
        'container_cpu_usage_seconds_total{container="container_a",namespace="namespace_a",pod="pod_a"} 1.5 1714557600123',
        '# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes',
        '# TYPE container_memory_working_set_bytes gauge',
        'container_memory_working_set_bytes{container="container_a",namespace="namespace_a",pod="pod_a"} 1.2345678e+07 1714557600123',
        '# HELP container_start_time_seconds [STABLE] Start time of the container since unix epoch in seconds',
        '# TYPE container_start_time_seconds gauge',
        'container_start_time_seconds{container="container_a",namespace="namespace_a",pod="pod_a"} 1.7145540e+09 1714554000000'.replace('1.7145540e+09', goFloat(1714554000)),
        'container_start_time_seconds{container="container_b",namespace="namespace_a",pod="pod_a"} 1.7145558e+09 1714555800000'.replace('1.7145558e+09', goFloat(1714555800)),
        '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds',
        '# TYPE node_cpu_usage_seconds_total counter',
        'node_cpu_usage_seconds_total 10 1714557600123',
        '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes',
        '# TYPE node_memory_working_set_bytes gauge',
        'node_memory_working_set_bytes 1000 1714557600123',
        '# HELP pod_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the pod in core-seconds',
        '# TYPE pod_cpu_usage_seconds_total counter',
        'pod_cpu_usage_seconds_total{namespace="namespace_a",pod="pod_a"} 1.5 1714557600123',
        '# HELP pod_memory_working_set_bytes [STABLE] Current working set of the pod in bytes',
        '# TYPE pod_memory_working_set_bytes gauge',
        'pod_memory_working_set_bytes{namespace="namespace_a",pod="pod_a"} 1.2345678e+07 1714557600123',
        '# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
        '# TYPE resource_scrape_error gauge',
        'resource_scrape_error 0',
        '# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise',
        '# TYPE scrape_error gauge',
        'scrape_error 0',
        '',
      ].join('\n'),
    );
  });

  it('a failed read is scrape_error 1 and nothing else', () => {
    assert.equal(resourceMetricsText(undefined).split('\n').filter((l) => !l.startsWith('#')).join(' '), 'resource_scrape_error 1 scrape_error 1 ');
  });

  it('formats floats as Go does: exponent form from 1e6 and below 1e-4', () => {
    assert.deepEqual([0, 1.5, 123456, 1e6, 12345678, 0.0001, 0.00001234].map(goFloat), ['0', '1.5', '123456', '1e+06', '1.2345678e+07', '0.0001', '1.234e-05']);
  });
});
