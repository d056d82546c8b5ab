// An object is serialized once per write: the stored text (no resourceVersion) must be what
// JSON.stringify gives, and the text with the revision spliced in must be the object's JSON once
// its resourceVersion is set. Through the server: the response to a create, a GET, a LIST and a
// watch event all carry the same JSON for the same object.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, StoredObject } from '../../src/api/object.js';
import { encodeObject, objectJSON, rememberJSON, sharedObjectJSON, storedText, withResourceVersion } from '../../src/apiserver/registry/object-json.js';
import { createManagedFieldsEntry } from '../../src/apiserver/registry/create-managed-fields.js';
import { builtinRegistry } from '../../src/apiserver/registry/builtin.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import { resources } from '../../src/client/rest/builtin-resources.js';

describe('stored text and the JSON with resourceVersion', () => {
  const cases: [string, KubeObject][] = [
    ['a pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }],
    ['metadata with only a resourceVersion', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '9' }, data: { 'x"y': 'z\u2028' } }],
    ['empty metadata', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }],
    ['undefined fields are left out', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: undefined }, data: undefined } as never],
    ['metadata not first', { data: { a: '1' }, metadata: { name: 'c', uid: 'u' }, kind: 'ConfigMap', apiVersion: 'v1' }],
    ['strings that need escapes, and ones that do not', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'a\nb', namespace: '\ud800' }, note: 'q"\\\u{1F600}\u2028', type: '\u0007', reason: '', 'k"\\ey': 1 } as never],
  ];
  for (const [name, obj] of cases) {
    test(name, () => {
      const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
      const stored = storedText(obj);
      assert.equal(stored.text, JSON.stringify({ ...obj, metadata: meta }));
      const withRV = { ...obj, metadata: { ...meta, resourceVersion: '42' } };
      assert.equal(withResourceVersion(stored, '42'), JSON.stringify(withRV));
    });
  }

  test('objects holding a shared managedFields tree: the same text as JSON.stringify', () => {
    const pods = builtinRegistry().find('', 'v1', 'pods')!;
    const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'n', labels: { 'a"b': 'c' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } });
    const entry = () => createManagedFieldsEntry(pod('x'), pods.schema(), 'm\u2028"q', '2026-01-01T00:00:00Z')!;
    const shared = entry().fieldsV1;
    assert.ok(Object.isFrozen(shared), 'creates of one shape share a frozen tree');
    assert.equal(entry().fieldsV1, shared);
    const variants: [string, KubeObject][] = [
      ['one shared entry', { ...pod('a'), metadata: { ...pod('a').metadata, managedFields: [entry()] } }],
      ['with a resourceVersion', { ...pod('b'), metadata: { name: 'b', resourceVersion: '7', managedFields: [entry()], uid: 'u' } }],
      ['beside a tree of its own, an undefined field and odd entries', { ...pod('c'), metadata: { name: 'c', managedFields: [{ manager: 'z', fieldsV1: { 'f:x': {} }, time: undefined }, entry(), null, 'x', [1]] as never } }],
      ['an entry whose toJSON is data', { ...pod('d'), metadata: { name: 'd', managedFields: [{ ...entry(), toJSON: 'not a function' }] as never } }],
      ['metadata last, resourceVersion first', { spec: {}, kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '1', managedFields: [entry()], name: 'e' } } as never],
    ];
    for (const [what, obj] of variants) {
      const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
      const stored = storedText(obj);
      assert.equal(stored.text, JSON.stringify({ ...obj, metadata: meta }), what);
      assert.equal(withResourceVersion(stored, '42'), JSON.stringify({ ...obj, metadata: { ...meta, resourceVersion: '42' } }), what);
      assert.equal(encodeObject(obj), JSON.stringify(obj), what);
    }
  });

  test('an object without metadata has no place for a resourceVersion', () => {
    const stored = storedText({ apiVersion: 'v1', kind: 'X' });
    assert.equal(stored.text, '{"apiVersion":"v1","kind":"X"}');
    assert.equal(withResourceVersion(stored, '1'), undefined);
  });

  test('a remembered text is used; an object without one is serialized each time and not remembered', () => {
    const a = { apiVersion: 'v1', kind: 'X', metadata: { name: 'a', resourceVersion: '1' } } as StoredObject;
    rememberJSON(a, '{"remembered":true}');
    assert.equal(objectJSON(a), '{"remembered":true}');
    const b = { apiVersion: 'v1', kind: 'X', metadata: { name: 'b', resourceVersion: '1' } } as StoredObject;
    assert.equal(objectJSON(b), JSON.stringify(b));
    b.metadata.name = 'changed';
    assert.equal(objectJSON(b), JSON.stringify(b));
    assert.equal(sharedObjectJSON(b), JSON.stringify(b));
  });
});

/** An Event as JSON, in either version. */
type Ev = { metadata: { name: string; resourceVersion?: string }; [k: string]: unknown };

describe('one JSON per object through the server', () => {
  let api: InProcessApi;
  before(async () => {
    api = await startInProcessApi();
  });
  after(async () => {
    await api?.close();
  });

  test('create response, GET, LIST and watch event agree, with the resourceVersion of the write', async () => {
    const pods = api.client().resource(resources.pods);
    const ns = { namespace: 'default' };
    const list0 = await pods.list(ns);
    const w = await pods.watch({ ...ns, resourceVersion: list0.metadata?.resourceVersion });
    try {
      const created = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'one-json', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, ns);
      const rv = created.metadata?.resourceVersion;
      assert.ok(rv && /^\d+$/.test(rv));
      assert.ok(created.metadata?.managedFields?.length);
      assert.deepEqual(await pods.get('one-json', ns), created);
      assert.deepEqual((await pods.list(ns)).items.find((p) => p.metadata?.name === 'one-json'), created);
      for await (const ev of w) {
        if (ev.object.metadata?.name !== 'one-json') continue;
        assert.equal(ev.type, 'ADDED');
        assert.deepEqual(ev.object, created);
        break;
      }
      // An update's response and the next GET carry the new revision.
      const updated = await pods.patch('one-json', { metadata: { labels: { a: 'c' } } }, { ...ns, type: 'merge' });
      assert.notEqual(updated.metadata?.resourceVersion, rv);
      assert.deepEqual(await pods.get('one-json', ns), updated);
    } finally {
      w.stop();
    }
  });

  test('an events.k8s.io Event: the cache keeps the stored core form it was written as, equal to what storage holds', async () => {
    const c = api.client();
    const path = '/apis/events.k8s.io/v1/namespaces/default/events';
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { generateName: 'conv-' },
      regarding: { kind: 'Pod', namespace: 'default', name: 'x' },
      reason: 'Scheduled',
      note: 'assigned',
      type: 'Normal',
      action: 'Binding',
      reportingController: 'default-scheduler',
      reportingInstance: 'i',
      eventTime: '2024-05-06T07:08:09.123456Z',
    };
    const created = await c.requestJSON<Ev>({ method: 'POST', path, body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
    const name = created.metadata.name;
    const key = `/registry/core/events/default/${name}`;
    const cachedAndStored = async () => {
      const kv = await api.store.get(key);
      assert.ok(kv);
      const cached = api.api.cache.resourceFor('/registry/core/events/').objects.get(key);
      const stored = JSON.parse(kv.value) as Ev;
      stored.metadata.resourceVersion = String(kv.modRevision);
      assert.deepEqual(cached, stored);
      assert.equal(sharedObjectJSON(cached!), JSON.stringify(stored));
      return stored;
    };
    const stored = await cachedAndStored();
    assert.equal(stored.apiVersion, 'v1');
    assert.equal(stored.message, 'assigned');
    assert.equal(created.metadata.resourceVersion, stored.metadata.resourceVersion);
    assert.deepEqual(await c.requestJSON<Ev>({ method: 'GET', path: `${path}/${name}` }), created);
    assert.deepEqual(await c.requestJSON<Ev>({ method: 'GET', path: `/api/v1/namespaces/default/events/${name}` }), stored);
    const patched = await c.requestJSON<Ev>({
      method: 'PATCH',
      path: `${path}/${name}`,
      body: JSON.stringify({ series: { count: 2, lastObservedTime: '2024-05-06T07:09:00.000000Z' } }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    const after = await cachedAndStored();
    assert.equal(patched.metadata.resourceVersion, after.metadata.resourceVersion);
    assert.deepEqual(after.series, { count: 2, lastObservedTime: '2024-05-06T07:09:00.000000Z' });
    assert.deepEqual(await c.requestJSON<Ev>({ method: 'GET', path: `${path}/${name}` }), patched);
  });
});
