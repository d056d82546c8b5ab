import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentMetrics, counter, gauge, histogram, metricsContentType, metricsText } from '../../src/util/metrics.js';
import { apiserverMetrics } from '../../src/util/apiserver-metrics.js';

test('the registry exposes the default process metrics in Prometheus text format', async () => {
  const text = await metricsText();
  for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds']) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.match(metricsContentType, /^text\/plain; version=0\.0\.4/);
});

test('creating a metric twice under one name returns the same series, and another type under that name is an error', async () => {
  const first = counter({ name: 'k8ts_test_widgets_total', help: 'Widgets.', labelNames: ['kind'] });
  const second = counter({ name: 'k8ts_test_widgets_total', help: 'Widgets.', labelNames: ['kind'] });
  assert.equal(first, second);
  first.inc({ kind: 'a' });
  second.inc({ kind: 'a' }, 2);
  assert.match(await metricsText(), /^k8ts_test_widgets_total\{kind="a"\} 3$/m);
  assert.throws(() => gauge({ name: 'k8ts_test_widgets_total', help: 'x' }), /already registered as another type/);
});

test('component metrics are prefixed with the component name', async () => {
  const m = componentMetrics('k8tstest');
  m.gauge({ name: 'queue_depth', help: 'Depth.' }).set(7);
  m.histogram({ name: 'work_duration_seconds', help: 'Work.', buckets: [0.1, 1] }).observe(0.5);
  const text = await metricsText();
  assert.match(text, /^k8tstest_queue_depth 7$/m);
  assert.match(text, /^k8tstest_work_duration_seconds_bucket\{le="1"\} 1$/m);
  assert.match(text, /^k8tstest_work_duration_seconds_count 1$/m);
  assert.equal(histogram({ name: 'k8tstest_work_duration_seconds', help: 'Work.' }), m.histogram({ name: 'work_duration_seconds', help: 'Work.' }));
});

test('the API server request metrics carry upstream names, labels and latency buckets', async () => {
  const m = apiserverMetrics();
  assert.equal(apiserverMetrics().requestTotal, m.requestTotal, 'one series set per process');
  const labels = { verb: 'LIST', dry_run: '', group: '', version: 'v1', resource: 'pods', subresource: '', scope: 'namespace', component: 'apiserver' };
  m.requestTotal.inc({ ...labels, code: '200' });
  m.requestDuration.observe(labels, 0.003);
  const text = await metricsText();
  assert.match(
    text,
    /^apiserver_request_total\{verb="LIST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver",code="200"\} 1$/m,
  );
  assert.match(text, /^apiserver_request_duration_seconds_bucket\{le="0.005",verb="LIST",.*\} 1$/m);
  assert.match(text, /^apiserver_request_duration_seconds_bucket\{le="60",verb="LIST",.*\} 1$/m);
  for (const name of ['apiserver_current_inflight_requests', 'apiserver_longrunning_requests', 'apiserver_storage_objects']) {
    assert.match(text, new RegExp(`^# TYPE ${name} gauge$`, 'm'));
  }
});
