// The API server's request metrics go through keyed series (util/metrics.ts) instead of
// prom-client's label hashing on every request: a scrape must show what prom-client would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, Counter, Registry } from 'prom-client';
import { keyedCounter, keyedHistogram, metricsText } from '../../src/util/metrics.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { startInProcessApi } from '../client/transport/in-process-api.js';

const labelNames = ['verb', 'resource'] as const;

/** Series → value of a registry's exposition, metric names without their prefix. */
async function exported(r: Registry, prefix: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await r.metrics()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at).replace(prefix, ''), Number(line.slice(at + 1)));
  }
  return out;
}

/** The same series with the same counts; sums equal up to floating-point rounding (added up in another order). */
async function assertSameExport(keyed: Registry, direct: Registry, what: string): Promise<void> {
  const k = await exported(keyed, 'keyed_');
  const d = await exported(direct, 'direct_');
  assert.deepEqual([...k.keys()].sort(), [...d.keys()].sort(), what);
  for (const [series, v] of d) {
    if (series.startsWith('h_sum')) assert.ok(Math.abs(k.get(series)! - v) < 1e-9, `${what}: ${series}`);
    else assert.equal(k.get(series), v, `${what}: ${series}`);
  }
}

test('keyed series export exactly what direct inc() and observe() calls export', async () => {
  const direct = new Registry();
  const keyed = new Registry();
  const buckets = [0.005, 0.025, 0.1, 1];
  const h1 = new Histogram({ name: 'direct_h', help: 'h', labelNames, buckets, registers: [direct] });
  const c1 = new Counter({ name: 'direct_c', help: 'c', labelNames, registers: [direct] });
  const h2 = new Histogram({ name: 'keyed_h', help: 'h', labelNames, buckets, registers: [keyed] });
  const c2 = new Counter({ name: 'keyed_c', help: 'c', labelNames, registers: [keyed] });
  const kh = keyedHistogram(h2);
  const kc = keyedCounter(c2);
  assert.equal(keyedHistogram(h2), kh, 'one keyed view per metric');
  const values = [0.001, 0.005, 0.0051, 0.03, 0.5, 2, 7, 0];
  const record = (round: number) => {
    values.forEach((v, i) => {
      const labels = { verb: i % 2 ? 'GET' : 'LIST', resource: i % 3 ? 'pods' : 'nodes' };
      const key = `${labels.verb}/${labels.resource}`;
      h1.observe(labels, v * round);
      c1.inc(labels);
      kh.get(key, () => labels).observe(v * round);
      kc.get(key, () => labels).inc();
    });
  };
  record(1);
  // A direct call on the keyed metric lands in the same series.
  h1.observe({ verb: 'GET', resource: 'pods' }, 0.02);
  h2.observe({ verb: 'GET', resource: 'pods' }, 0.02);
  await assertSameExport(keyed, direct, 'first read');
  record(2);
  await assertSameExport(keyed, direct, 'counts recorded after a read are taken by the next');
  h1.reset();
  h2.reset();
  record(3);
  await assertSameExport(keyed, direct, 'after a reset');
});

test('requests show in apiserver_request_total and apiserver_request_duration_seconds by verb, resource, scope and code', async () => {
  // No root-CA publisher: its kube-root-ca.crt ConfigMaps would be counted with the test's creates.
  const api = await startInProcessApi({ rootCA: false });
  try {
    const client = api.client();
    const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    const created = /^apiserver_request_total\{verb="CREATE",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver",code="201"\} (\d+)$/m;
    const conflicts = /^apiserver_request_total\{verb="CREATE",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver",code="409"\} (\d+)$/m;
    const durations = /^apiserver_request_duration_seconds_count\{verb="CREATE",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver"\} (\d+)$/m;
    const inf = /^apiserver_request_duration_seconds_bucket\{le="\+Inf",verb="CREATE",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver"\} (\d+)$/m;
    const before = await metricsText();
    const cms = client.resource(resources.configMaps);
    for (let i = 0; i < 3; i++) await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `m-${i}` } }, { namespace: 'default' });
    await assert.rejects(cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm-0' } }, { namespace: 'default' }));
    const after = await metricsText();
    assert.equal(count(after, created) - count(before, created), 3);
    assert.equal(count(after, conflicts) - count(before, conflicts), 1);
    assert.equal(count(after, durations) - count(before, durations), 4);
    assert.equal(count(after, inf) - count(before, inf), 4);
  } finally {
    await api.close();
  }
});
