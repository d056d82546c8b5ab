// The REST semantics of the generic handlers, checked over real HTTPS against a real server:
// status codes, Status bodies, optimistic concurrency, generation, status subresource,
// finalizers, graceful pod deletion, dry run, generateName and bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await c.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rest' } }) });
});
after(async () => {
  await c?.close();
});

const cm = (name: string, data: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data });

describe('REST semantics', () => {
  test('create answers 201 with uid, creationTimestamp and a resourceVersion; a second create is 409 AlreadyExists', async () => {
    const r = await c.request('POST', '/api/v1/namespaces/rest/configmaps', { body: cm('a', { k: 'v' }) });
    assert.equal(r.status, 201);
    const obj = r.json();
    assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(obj.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(obj.metadata.resourceVersion, /^\d+$/);
    const again = await c.request('POST', '/api/v1/namespaces/rest/configmaps', { body: cm('a') });
    assert.equal(again.status, 409);
    assert.equal(again.json().reason, 'AlreadyExists');
    assert.equal(again.json().message, 'configmaps "a" already exists');
    assert.equal(again.json().kind, 'Status');
  });

  test('generateName gives a unique name with a five-character suffix', async () => {
    const r = await c.request('POST', '/api/v1/namespaces/rest/configmaps', { body: JSON.stringify({ metadata: { generateName: 'gen-' } }) });
    assert.equal(r.status, 201);
    assert.match(r.json().metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  test('dryRun=All validates and answers but stores nothing', async () => {
    const r = await c.request('POST', '/api/v1/namespaces/rest/configmaps?dryRun=All', { body: cm('dry') });
    assert.equal(r.status, 201);
    assert.equal((await c.request('GET', '/api/v1/namespaces/rest/configmaps/dry')).status, 404);
  });

  test('update with a stale resourceVersion is 409 Conflict; without one it is unconditional', async () => {
    const created = (await c.request('POST', '/api/v1/namespaces/rest/configmaps', { body: cm('occ', { v: '1' }) })).json();
    const first = await c.request('PUT', '/api/v1/namespaces/rest/configmaps/occ', { body: JSON.stringify({ ...created, data: { v: '2' } }) });
    assert.equal(first.status, 200);
    assert.notEqual(first.json().metadata.resourceVersion, created.metadata.resourceVersion);
    const stale = await c.request('PUT', '/api/v1/namespaces/rest/configmaps/occ', { body: JSON.stringify({ ...created, data: { v: '3' } }) });
    assert.equal(stale.status, 409);
    assert.equal(stale.json().reason, 'Conflict');
    const unconditional = await c.request('PUT', '/api/v1/namespaces/rest/configmaps/occ', { body: cm('occ', { v: '4' }) });
    assert.equal(unconditional.status, 200);
    assert.equal(unconditional.json().data.v, '4');
  });

  test('an invalid update names each error once (the create rules are part of the update rules)', async () => {
    await c.request('POST', '/api/v1/namespaces/rest/configmaps', { body: cm('labelled', { v: '1' }) });
    const r = await c.request('PUT', '/api/v1/namespaces/rest/configmaps/labelled', { body: cm('labelled', { v: '2' }, { labels: { 'bad key!': 'x' } }) });
    assert.equal(r.status, 422);
    const status = r.json();
    assert.equal(status.details.causes.length, 1, JSON.stringify(status.details.causes));
    assert.equal(status.details.causes[0].field, 'metadata.labels');
    assert.ok(!status.message.startsWith('ConfigMap "labelled" is invalid: ['), status.message);
  });

  test('generation increases on spec changes only; status changes go through /status', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gen' },
      spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    };
    const created = (await c.request('POST', '/apis/apps/v1/namespaces/rest/deployments', { body: JSON.stringify(dep) })).json();
    assert.equal(created.metadata.generation, 1);
    const path = '/apis/apps/v1/namespaces/rest/deployments/gen';
    const labelled = (await c.request('PATCH', path, { body: '{"metadata":{"labels":{"x":"y"}}}', headers: { 'Content-Type': 'application/merge-patch+json' } })).json();
    assert.equal(labelled.metadata.generation, 1, 'metadata change keeps generation');
    const scaled = (await c.request('PATCH', path, { body: '{"spec":{"replicas":3}}', headers: { 'Content-Type': 'application/merge-patch+json' } })).json();
    assert.equal(scaled.metadata.generation, 2);
    const ignored = (await c.request('PATCH', path, { body: '{"status":{"replicas":9}}', headers: { 'Content-Type': 'application/merge-patch+json' } })).json();
    assert.equal(ignored.status?.replicas, undefined, 'the main resource ignores status');
    const status = await c.request('PATCH', `${path}/status`, { body: '{"status":{"replicas":9},"spec":{"replicas":1}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(status.status, 200);
    assert.equal(status.json().status.replicas, 9);
    assert.equal(status.json().spec.replicas, 3, 'the status subresource ignores spec');
    assert.equal(status.json().metadata.generation, 2);
  });

  test('finalizers keep a deleted object until they are removed', async () => {
    await c.request('POST', '/api/v1/namespaces/rest/configmaps', { body: cm('fin', {}, { finalizers: ['example.com/hold'] }) });
    const del = await c.request('DELETE', '/api/v1/namespaces/rest/configmaps/fin');
    assert.equal(del.status, 202);
    const held = (await c.request('GET', '/api/v1/namespaces/rest/configmaps/fin')).json();
    assert.ok(held.metadata.deletionTimestamp);
    const released = await c.request('PATCH', '/api/v1/namespaces/rest/configmaps/fin', { body: '{"metadata":{"finalizers":null}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(released.status, 200);
    assert.equal((await c.request('GET', '/api/v1/namespaces/rest/configmaps/fin')).status, 404);
  });

  test('a scheduled pod is deleted gracefully; grace period 0 removes it at once', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } };
    await c.request('POST', '/api/v1/namespaces/rest/pods', { body: JSON.stringify(pod) });
    const del = await c.request('DELETE', '/api/v1/namespaces/rest/pods/p');
    assert.equal(del.status, 202);
    const terminating = del.json();
    assert.equal(terminating.metadata.deletionGracePeriodSeconds, 30);
    const force = await c.request('DELETE', '/api/v1/namespaces/rest/pods/p', { body: JSON.stringify({ gracePeriodSeconds: 0 }) });
    assert.equal(force.status, 200);
    assert.equal((await c.request('GET', '/api/v1/namespaces/rest/pods/p')).status, 404);
  });

  test('an unscheduled pod is deleted at once', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await c.request('POST', '/api/v1/namespaces/rest/pods', { body: JSON.stringify(pod) });
    const del = await c.request('DELETE', '/api/v1/namespaces/rest/pods/q');
    assert.equal(del.status, 200);
    assert.equal(del.json().status, 'Success');
  });

  test('binding a pod sets its node once; a second binding is a conflict', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    await c.request('POST', '/api/v1/namespaces/rest/pods', { body: JSON.stringify(pod) });
    const bind = (node: string) => c.request('POST', '/api/v1/namespaces/rest/pods/b/binding', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b' }, target: { kind: 'Node', name: node } }) });
    assert.equal((await bind('n1')).status, 201);
    const bound = (await c.request('GET', '/api/v1/namespaces/rest/pods/b')).json();
    assert.equal(bound.spec.nodeName, 'n1');
    assert.ok(bound.status.conditions.some((x: { type: string; status: string }) => x.type === 'PodScheduled' && x.status === 'True'));
    const again = await bind('n2');
    assert.equal(again.status, 409);
    assert.match(again.json().message, /already assigned to node "n1"/);
  });

  test('services get a ClusterIP from the range and NodePorts from 30000-32767, never twice', async () => {
    const svc = (name: string, type = 'ClusterIP') => JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type, selector: { a: 'b' }, ports: [{ port: 80 }] } });
    const ips = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const s = (await c.request('POST', '/api/v1/namespaces/rest/services', { body: svc(`s${i}`, 'NodePort') })).json();
      assert.match(s.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
      assert.ok(s.spec.ports[0].nodePort >= 30000 && s.spec.ports[0].nodePort <= 32767);
      assert.equal(s.spec.ports[0].targetPort, 80);
      ips.add(s.spec.clusterIP);
    }
    assert.equal(ips.size, 5);
    const taken = await c.request('POST', '/api/v1/namespaces/rest/services', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup' }, spec: { clusterIP: '10.96.0.1', ports: [{ port: 80 }] } }) });
    assert.equal(taken.status, 422);
    assert.match(taken.json().message, /provided IP is already allocated/);
  });

  test('a LoadBalancer Service with externalTrafficPolicy Local gets a healthCheckNodePort; it is kept, immutable, and released when no longer needed', async () => {
    const base = { apiVersion: 'v1', kind: 'Service', spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { a: 'b' }, ports: [{ port: 80 }] } };
    const created = await c.request('POST', '/api/v1/namespaces/rest/services', { body: JSON.stringify({ ...base, metadata: { name: 'lb-local' } }) });
    assert.equal(created.status, 201, created.body);
    const hc = created.json().spec.healthCheckNodePort;
    assert.ok(hc >= 30000 && hc <= 32767 && hc !== created.json().spec.ports[0].nodePort, String(hc));
    const patch = (body: unknown) => c.request('PATCH', '/api/v1/namespaces/rest/services/lb-local', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal((await patch({ metadata: { labels: { x: 'y' } } })).json().spec.healthCheckNodePort, hc, 'kept across updates');
    const changed = await patch({ spec: { healthCheckNodePort: hc === 32000 ? 32001 : 32000 } });
    assert.equal(changed.status, 422);
    assert.match(changed.json().message, /spec\.healthCheckNodePort: Invalid value: \d+: field is immutable/);
    // A port that is taken (here the Service's own NodePort) is refused as a change too, not as a clash.
    const ownNodePort = created.json().spec.ports[0].nodePort;
    const toTaken = await patch({ spec: { healthCheckNodePort: ownNodePort } });
    assert.equal(toTaken.status, 422);
    assert.match(toTaken.json().message, new RegExp(`spec\\.healthCheckNodePort: Invalid value: ${ownNodePort}: field is immutable`));
    const taken = await c.request('POST', '/api/v1/namespaces/rest/services', { body: JSON.stringify({ ...base, metadata: { name: 'lb-taken' }, spec: { ...base.spec, healthCheckNodePort: hc } }) });
    assert.equal(taken.status, 422);
    assert.match(taken.json().message, /failed to allocate requested HealthCheck NodePort \d+: provided port is already allocated/);
    const cluster = await patch({ spec: { externalTrafficPolicy: 'Cluster' } });
    assert.equal(cluster.status, 200, cluster.body);
    assert.equal(cluster.json().spec.healthCheckNodePort, undefined, 'released with the need');
    const reuse = await c.request('POST', '/api/v1/namespaces/rest/services', { body: JSON.stringify({ ...base, metadata: { name: 'lb-reuse' }, spec: { ...base.spec, healthCheckNodePort: hc } }) });
    assert.equal(reuse.status, 201, reuse.body);
    assert.equal(reuse.json().spec.healthCheckNodePort, hc);
    const notNeeded = await c.request('POST', '/api/v1/namespaces/rest/services', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'np-hc' }, spec: { type: 'NodePort', healthCheckNodePort: 31999, ports: [{ port: 80 }] } }) });
    assert.equal(notNeeded.status, 422);
    assert.match(notNeeded.json().message, /spec\.healthCheckNodePort: Invalid value: 31999: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'/);
  });

  test('bad input gets the right Status: malformed JSON, wrong kind, namespace mismatch, too large, unsupported media type', async () => {
    const cases: [string, { body: string | Buffer; headers?: Record<string, string> }, number, RegExp][] = [
      ['malformed JSON', { body: '{"metadata": {' }, 400, /error decoding JSON body|JSON/],
      ['wrong kind', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }) }, 400, /does not match the expected kind/],
      ['wrong apiVersion', { body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }) }, 400, /does not match the expected API version/],
      ['namespace mismatch', { body: cm('x', {}, { namespace: 'other' }) }, 400, /does not match the namespace/],
      ['an array body', { body: '[]' }, 400, /must be a JSON object/],
      ['too large', { body: Buffer.alloc(4 * 1024 * 1024, 'a') }, 413, /too large/],
      ['unsupported media type', { body: 'x', headers: { 'Content-Type': 'text/html' } }, 415, /unknown format/],
      ['deeply nested', { body: '{"metadata":{"name":"deep"},"data":' + '['.repeat(10000) + ']'.repeat(10000) + '}' }, 400, /nested/],
    ];
    for (const [name, opts, code, message] of cases) {
      const r = await c.request('POST', '/api/v1/namespaces/rest/configmaps', opts);
      assert.equal(r.status, code, `${name}: ${r.body.slice(0, 200)}`);
      const s = r.json();
      assert.equal(s.kind, 'Status', name);
      assert.equal(s.code, code, name);
      assert.match(s.message, message, name);
    }
    assert.equal((await c.request('GET', '/api/v1/namespaces/rest/configmaps/x')).status, 404, 'nothing half-written');
  });

  test('unknown fields: Strict refuses naming the field, Warn stores without them and warns', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'uf' }, data: { a: 'b' }, bogus: 1 });
    const strict = await c.request('POST', '/api/v1/namespaces/rest/configmaps?fieldValidation=Strict', { body });
    assert.equal(strict.status, 400);
    assert.match(strict.json().message, /strict decoding error: unknown field "bogus"/);
    const warn = await c.request('POST', '/api/v1/namespaces/rest/configmaps?fieldValidation=Warn', { body });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers.warning), /unknown field \\"bogus\\"/);
    assert.equal(warn.json().bogus, undefined);
  });

  test('anonymous requests may read health and version but nothing else', async () => {
    assert.equal((await c.request('GET', '/readyz', { anonymous: true })).body, 'ok');
    assert.equal((await c.request('GET', '/version', { anonymous: true })).status, 200);
    const denied = await c.request('GET', '/api/v1/namespaces/rest/configmaps', { anonymous: true });
    assert.equal(denied.status, 403);
    assert.equal(denied.json().message, 'configmaps is forbidden: User "system:anonymous" cannot list resource "configmaps" in API group "" in the namespace "rest"');
  });

  test('readyz?verbose lists its checks; ?exclude leaves some out', async () => {
    const r = await c.request('GET', '/readyz?verbose');
    assert.equal(r.status, 200);
    assert.match(r.body, /\[\+\]ping ok/);
    assert.match(r.body, /readyz check passed/);
    // ?exclude leaves a named check out; verbose output still names it.
    const live = await c.request('GET', '/livez?verbose&exclude=etcd&exclude=log');
    assert.equal(live.status, 200);
    assert.match(live.body, /\[\+\]etcd excluded: ok\n\[\+\]poststarthook/);
    assert.match(live.body.split('\n').find((l) => l.includes(']log'))!, /\[\+\]log excluded: ok/);
  });

  test('list with limit returns a continue token and remainingItemCount; an expired or bad token is refused', async () => {
    for (let i = 0; i < 5; i++) await c.request('POST', '/api/v1/namespaces/rest/secrets', { body: JSON.stringify({ metadata: { name: `page-${i}` } }) });
    const first = (await c.request('GET', '/api/v1/namespaces/rest/secrets?limit=2')).json();
    assert.equal(first.items.length, 2);
    assert.equal(first.metadata.remainingItemCount, 3);
    await c.request('DELETE', '/api/v1/namespaces/rest/secrets/page-4');
    const second = (await c.request('GET', `/api/v1/namespaces/rest/secrets?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`)).json();
    assert.deepEqual(second.items.map((s: { metadata: { name: string } }) => s.metadata.name), ['page-2', 'page-3']);
    assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion, 'every page is read at the first page\'s revision');
    const third = (await c.request('GET', `/api/v1/namespaces/rest/secrets?limit=2&continue=${encodeURIComponent(second.metadata.continue)}`)).json();
    assert.deepEqual(third.items.map((s: { metadata: { name: string } }) => s.metadata.name), ['page-4'], 'a deleted object still shows in the consistent snapshot');
    assert.equal(third.metadata.continue, undefined);
    const bad = await c.request('GET', '/api/v1/namespaces/rest/secrets?limit=2&continue=garbage');
    assert.equal(bad.status, 400);
  });

  test('a label selector that does not parse is a 400 naming the problem', async () => {
    const r = await c.request('GET', '/api/v1/namespaces/rest/configmaps?labelSelector=' + encodeURIComponent('a in (b'));
    assert.equal(r.status, 400);
    const f = await c.request('GET', '/api/v1/namespaces/rest/configmaps?fieldSelector=spec.bogus%3Dx');
    assert.equal(f.status, 400);
  });

  test('a namespace being deleted refuses new content and the system namespaces cannot be deleted', async () => {
    await c.request('POST', '/api/v1/namespaces', { body: JSON.stringify({ metadata: { name: 'doomed' } }) });
    const del = await c.request('DELETE', '/api/v1/namespaces/doomed');
    assert.equal(del.status, 202);
    assert.equal(del.json().status.phase, 'Terminating');
    const refused = await c.request('POST', '/api/v1/namespaces/doomed/configmaps', { body: cm('late') });
    assert.equal(refused.status, 403);
    assert.match(refused.json().message, /because it is being terminated/);
    const sys = await c.request('DELETE', '/api/v1/namespaces/kube-system');
    assert.equal(sys.status, 403);
  });
});

describe('timestamps', () => {
  test('metav1.Time is stored to the second in UTC; a MicroTime without six digits is a 400 naming the field', async () => {
    const ev = (eventTime: string) => JSON.stringify({ ...eventsV1('e-'), eventTime });
    const ok = await c.request('POST', '/apis/events.k8s.io/v1/namespaces/rest/events', { body: ev('2024-05-06T07:08:09.123456Z') });
    assert.equal(ok.status, 201, ok.body);
    assert.equal(ok.json().eventTime, '2024-05-06T07:08:09.123456Z');
    const core = (await c.request('GET', `/api/v1/namespaces/rest/events/${ok.json().metadata.name}`)).json();
    assert.equal(core.message, 'n', 'the events.k8s.io Event is the core Event under other field names');
    const legacy = await c.request('POST', '/api/v1/namespaces/rest/events', {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Event', metadata: { generateName: 'legacy-' }, involvedObject: { kind: 'Pod', namespace: 'rest', name: 'x' }, reason: 'R', message: 'm', firstTimestamp: '2024-05-06T07:08:09.123+02:00' }),
    });
    assert.equal(legacy.status, 201, legacy.body);
    assert.equal(legacy.json().firstTimestamp, '2024-05-06T05:08:09Z');
    const asV1 = (await c.request('GET', `/apis/events.k8s.io/v1/namespaces/rest/events/${legacy.json().metadata.name}`)).json();
    assert.equal(asV1.deprecatedFirstTimestamp, '2024-05-06T05:08:09Z');
    const bad = await c.request('POST', '/apis/events.k8s.io/v1/namespaces/rest/events', { body: ev('2024-05-06T07:08:09.12Z') });
    assert.equal(bad.status, 400);
    assert.match(bad.json().message, /eventTime: parsing time "2024-05-06T07:08:09.12Z"/);
  });
});

/** A valid events.k8s.io/v1 Event. */
function eventsV1(generateName: string): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { generateName },
    regarding: { kind: 'Pod', namespace: 'rest', name: 'x' },
    reason: 'R',
    note: 'n',
    type: 'Normal',
    action: 'A',
    reportingController: 'example.com/c',
    reportingInstance: 'i',
    eventTime: '2024-05-06T07:08:09.123456Z',
  };
}

describe('events.k8s.io/v1 validation', () => {
  const post = (body: Record<string, unknown>) => c.request('POST', '/apis/events.k8s.io/v1/namespaces/rest/events', { body: JSON.stringify(body) });
  test('an Event written through events.k8s.io/v1 needs eventTime, a known type, a qualified reportingController, no deprecated fields and a series of at least 2', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['deprecated field', { deprecatedFirstTimestamp: '2024-05-06T07:08:09Z' }, /firstTimestamp: Invalid value: "": needs to be unset/],
      ['deprecated count', { deprecatedCount: 3 }, /count: Invalid value: "": needs to be unset/],
      ['bad controller', { reportingController: 'not a name!' }, /reportingController: Invalid value: "not a name!"/],
      ['bad type', { type: 'Fatal' }, /type: Invalid value: "": has invalid value: Fatal/],
      ['no eventTime', { eventTime: undefined }, /eventTime: Required value/],
      ['series of one', { series: { count: 1, lastObservedTime: '2024-05-06T07:08:10.000000Z' } }, /series\.count: Invalid value: "": should be at least 2/],
      ['long note', { note: 'x'.repeat(1025) }, /message: Invalid value: "": can have at most 1024 characters/],
    ];
    for (const [name, change, message] of cases) {
      const r = await post({ ...eventsV1('bad-'), ...change });
      assert.equal(r.status, 422, `${name}: ${r.body.slice(0, 300)}`);
      assert.match(r.json().message, message, name);
    }
  });

  test('on update the series may grow but what the Event reports is immutable', async () => {
    const created = (await post(eventsV1('upd-'))).json();
    const name = created.metadata.name;
    const path = `/apis/events.k8s.io/v1/namespaces/rest/events/${name}`;
    const merge = (body: unknown) => c.request('PATCH', path, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/merge-patch+json' } });
    const grown = await merge({ series: { count: 2, lastObservedTime: '2024-05-06T07:09:00.000000Z' } });
    assert.equal(grown.status, 200, grown.body);
    assert.equal(grown.json().series.count, 2);
    const changed = await merge({ note: 'other' });
    assert.equal(changed.status, 422);
    assert.match(changed.json().message, /message: Invalid value: "other": field is immutable/);
    // The core/v1 API keeps its legacy leniency.
    const core = await c.request('PATCH', `/api/v1/namespaces/rest/events/${name}`, { body: JSON.stringify({ message: 'other' }), headers: { 'Content-Type': 'application/merge-patch+json' } });
    assert.equal(core.status, 200, core.body);
  });
});

describe('concurrent patches', () => {
  test('patches without a resourceVersion never conflict: a lost race is re-applied to the newer object', async () => {
    await c.request('POST', '/api/v1/namespaces/rest/configmaps', { body: cm('race') });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        c.request('PATCH', '/api/v1/namespaces/rest/configmaps/race', { body: JSON.stringify({ metadata: { labels: { [`l${i}`]: 'x' } } }), headers: { 'Content-Type': 'application/merge-patch+json' } }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(200));
    const labels = (await c.request('GET', '/api/v1/namespaces/rest/configmaps/race')).json().metadata.labels;
    assert.equal(Object.keys(labels).length, 20);
  });

  test('a patch that carries a stale resourceVersion is a conflict', async () => {
    const current = (await c.request('GET', '/api/v1/namespaces/rest/configmaps/race')).json();
    await c.request('PATCH', '/api/v1/namespaces/rest/configmaps/race', { body: '{"data":{"a":"1"}}', headers: { 'Content-Type': 'application/merge-patch+json' } });
    const stale = await c.request('PATCH', '/api/v1/namespaces/rest/configmaps/race', {
      body: JSON.stringify({ metadata: { resourceVersion: current.metadata.resourceVersion }, data: { a: '2' } }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    assert.equal(stale.status, 409);
  });
});
