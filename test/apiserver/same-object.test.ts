// An update that changes nothing but managedFields times is a no-op. The comparison that decides
// it must give exactly what isDeepStrictEqual gives on copies of both objects with every
// managedFields entry's time set to undefined (the formulation it replaces), on every case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../src/api/object.js';
import { equalJSON, sameExceptManagedFieldTimes } from '../../src/apiserver/registry/same-object.js';

function reference(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => {
    const mf = o.metadata?.managedFields;
    if (!mf) return o;
    return { ...o, metadata: { ...o.metadata, managedFields: mf.map((m) => ({ ...m, time: undefined })) } };
  };
  return isDeepStrictEqual(strip(a), strip(b));
}

const entry = (manager: string, time?: string) => ({ manager, operation: 'Update', apiVersion: 'v1', ...(time ? { time } : {}), fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:nodeName': {} } } });
const pod = (over: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'n', uid: 'u', resourceVersion: '5', labels: { a: 'b' }, managedFields: [entry('kubectl', '2024-01-01T00:00:00Z')], ...meta },
    spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }], nodeName: 'n1' },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
    ...over,
  }) as KubeObject;

describe('an update that changes nothing but managedFields times', () => {
  const cases: [string, KubeObject, KubeObject][] = [
    ['the same object', pod(), pod()],
    ['only a managedFields time differs', pod(), pod({}, { managedFields: [entry('kubectl', '2025-06-01T00:00:00Z')] })],
    ['one entry has a time, the other none', pod(), pod({}, { managedFields: [entry('kubectl')] })],
    ['a manager differs', pod(), pod({}, { managedFields: [entry('kube-scheduler', '2024-01-01T00:00:00Z')] })],
    ['an entry more', pod(), pod({}, { managedFields: [entry('kubectl'), entry('x')] })],
    ['an empty managedFields list on one side only', pod({}, { managedFields: [] }), pod({}, { managedFields: undefined })],
    ['no managedFields on either side', pod({}, { managedFields: undefined }), pod({}, { managedFields: undefined })],
    ['a time outside managedFields differs', pod({}, { creationTimestamp: '2024-01-01T00:00:00Z' }), pod({}, { creationTimestamp: '2024-01-02T00:00:00Z' })],
    ['spec.nodeName differs', pod(), pod({ spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }], nodeName: 'n2' } })],
    ['a deep array element differs', pod(), pod({ spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 81 }] }], nodeName: 'n1' } })],
    ['key order differs', pod(), { status: pod().status, spec: pod().spec, metadata: pod().metadata, kind: 'Pod', apiVersion: 'v1' } as KubeObject],
    ['a key present with undefined on one side only', pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }], message: undefined } }), pod()],
    ['an array longer on one side', pod({ status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False' }] } }), pod()],
    ['an object where the other has an array', pod({ status: { phase: 'Pending', conditions: {} } }), pod({ status: { phase: 'Pending', conditions: [] } })],
    ['null against an empty object', pod({ status: null }), pod({ status: {} })],
    ['0 against -0', pod({ spec: { priority: 0 } }), pod({ spec: { priority: -0 } })],
    ['a number against its string', pod({ spec: { priority: 1 } }), pod({ spec: { priority: '1' } })],
    ['metadata missing on one side', { apiVersion: 'v1', kind: 'Pod' } as KubeObject, pod()],
    ['metadata missing on both sides', { apiVersion: 'v1', kind: 'Pod' } as KubeObject, { apiVersion: 'v1', kind: 'Pod' } as KubeObject],
    ['a null-prototype object against an ordinary one below the top', pod({ spec: Object.assign(Object.create(null) as object, { nodeName: 'n1' }) }), pod({ spec: { nodeName: 'n1' } })],
    ['a Date against the same Date', pod({ spec: { d: new Date(5) } }), pod({ spec: { d: new Date(5) } })],
    ['a Date against another Date', pod({ spec: { d: new Date(5) } }), pod({ spec: { d: new Date(6) } })],
    ['extra keys in an entry besides time', pod(), pod({}, { managedFields: [{ ...entry('kubectl', '2024-01-01T00:00:00Z'), subresource: 'status' }] })],
  ];
  for (const [name, a, b] of cases) {
    test(name, () => {
      const want = reference(a, b);
      assert.equal(sameExceptManagedFieldTimes(a, b), want, `a, b: want ${want}`);
      assert.equal(sameExceptManagedFieldTimes(b, a), reference(b, a), 'b, a');
    });
  }

  test('equalJSON agrees with isDeepStrictEqual on JSON values', () => {
    const values: unknown[] = [null, 0, -0, 1, NaN, '', 'a', true, false, [], [1], [1, 2], {}, { a: 1 }, { a: undefined }, { a: [1, { b: null }] }, { a: [1, { b: 0 }] }, [[]], [{}]];
    for (const x of values) for (const y of values) assert.equal(equalJSON(x, y), isDeepStrictEqual(x, y), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  });
});
