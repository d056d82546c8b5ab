import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkFieldSelector, fieldAttrsFor, fieldGetter, isSupportedField, unsupportedFieldMessage } from '../../../src/api/selectors/field-attrs.js';
import { escapeFieldValue, fieldSelectorPredicate, matchesFields, parseFieldSelector } from '../../../src/api/selectors/fields.js';

test('a pod exposes the selectable fields upstream registers, with upstream defaults', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', containers: [] },
    status: { phase: 'Running', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }], nominatedNodeName: '' },
  };
  assert.deepEqual(fieldAttrsFor('', 'Pod', pod), {
    'metadata.name': 'p',
    'metadata.namespace': 'ns',
    'spec.nodeName': 'n1',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'default',
    'spec.hostNetwork': 'false',
    'status.phase': 'Running',
    'status.podIP': '10.0.0.1',
    'status.nominatedNodeName': '',
  });
});

test('an event exposes involvedObject.*, reason, type, reportingComponent and source (falling back to the reporting controller)', () => {
  const ev = {
    metadata: { name: 'e', namespace: 'ns' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u1', apiVersion: 'v1', resourceVersion: '5', fieldPath: 'spec.containers{a}' },
    reason: 'Pulled',
    type: 'Normal',
    reportingComponent: 'kubelet',
  };
  const a = fieldAttrsFor('', 'Event', ev);
  assert.equal(a['involvedObject.uid'], 'u1');
  assert.equal(a['involvedObject.fieldPath'], 'spec.containers{a}');
  assert.equal(a.source, 'kubelet');
  assert.equal(a.reportingComponent, 'kubelet');
  assert.equal(a.reason, 'Pulled');
});

const attrCases: [string, string, Record<string, unknown>, Record<string, string>][] = [
  ['', 'Secret', { metadata: { name: 's', namespace: 'n' }, type: 'kubernetes.io/tls' }, { type: 'kubernetes.io/tls' }],
  ['', 'Node', { metadata: { name: 'n' }, spec: { unschedulable: true } }, { 'spec.unschedulable': 'true', 'metadata.name': 'n' }],
  ['', 'Node', { metadata: { name: 'n' } }, { 'spec.unschedulable': 'false' }],
  ['', 'Namespace', { metadata: { name: 'n' }, status: { phase: 'Terminating' } }, { 'status.phase': 'Terminating' }],
  ['', 'ReplicationController', { metadata: { name: 'r', namespace: 'n' }, status: { replicas: 3 } }, { 'status.replicas': '3' }],
  ['apps', 'ReplicaSet', { metadata: { name: 'r', namespace: 'n' } }, { 'status.replicas': '0' }],
  ['batch', 'Job', { metadata: { name: 'j', namespace: 'n' }, status: { succeeded: 2 } }, { 'status.successful': '2' }],
  ['certificates.k8s.io', 'CertificateSigningRequest', { metadata: { name: 'c' }, spec: { signerName: 'kubernetes.io/kubelet-serving' } }, { 'spec.signerName': 'kubernetes.io/kubelet-serving' }],
];

for (const [group, kind, obj, want] of attrCases) {
  test(`${kind} exposes ${Object.keys(want).join(', ')} for field selection`, () => {
    const got = fieldAttrsFor(group, kind, obj);
    for (const [k, v] of Object.entries(want)) assert.equal(got[k], v, k);
  });
}

test('cluster-scoped objects have no metadata.namespace attribute', () => {
  assert.equal('metadata.namespace' in fieldAttrsFor('', 'Node', { metadata: { name: 'n' } }), false);
});

const supportCases: [string, string, string, string | undefined][] = [
  ['', 'Pod', 'spec.nodeName', undefined],
  ['', 'Pod', 'status.podIPs', undefined],
  ['', 'Pod', 'spec.nodename', 'field label not supported: spec.nodename'],
  ['', 'Node', 'metadata.namespace', 'field label not supported: metadata.namespace'],
  ['', 'Secret', 'type', undefined],
  ['', 'ConfigMap', 'metadata.name', undefined],
  ['', 'ConfigMap', 'data.x', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'],
  ['apps', 'Deployment', 'status.replicas', '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
  ['batch', 'Job', 'status.failed', 'field label "status.failed" not supported for batchv1.Job'],
  ['', 'Event', 'involvedObject.uid', undefined],
  ['events.k8s.io', 'Event', 'regarding.name', undefined],
  ['example.com', 'Widget', 'metadata.namespace', undefined],
];

for (const [group, kind, field, message] of supportCases) {
  test(`${group || 'core'} ${kind} ${message ? 'rejects' : 'accepts'} the field label ${field}`, () => {
    assert.equal(isSupportedField(group, kind, field), message === undefined);
    assert.equal(unsupportedFieldMessage(group, kind, field), message);
  });
}

test('checkFieldSelector throws the 400 upstream answers for the first unsupported field', () => {
  assert.doesNotThrow(() => checkFieldSelector('', 'Pod', parseFieldSelector('spec.nodeName=n1,metadata.name=p')));
  assert.throws(() => checkFieldSelector('', 'Pod', parseFieldSelector('spec.foo=1')), { code: 400, message: 'field label not supported: spec.foo' });
});

// The watch filter reads one field at a time (fieldGetter); it must see what the attribute set has.
const getterCases: [string, string, Record<string, unknown>][] = [
  [
    '',
    'Pod',
    {
      metadata: { name: 'p', namespace: 'ns' },
      spec: { nodeName: 'n1', restartPolicy: 'Never', hostNetwork: true, serviceAccountName: 'sa' },
      status: { phase: 'Running', podIPs: [{ ip: '10.0.0.1' }], nominatedNodeName: 'n2' },
    },
  ],
  ['', 'Pod', { metadata: { name: 'bare', namespace: 'ns' } }],
  ['', 'Event', { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { kind: 'Pod', name: 'p' }, source: { component: 'kubelet' }, reason: 'Pulled', type: 'Normal' }],
  [
    'events.k8s.io',
    'Event',
    { metadata: { name: 'e', namespace: 'ns' }, regarding: { kind: 'Pod', name: 'p', uid: 'u' }, reportingController: 'default-scheduler', reason: 'Scheduled', type: 'Normal' },
  ],
  ['events.k8s.io', 'Event', { metadata: { name: 'e', namespace: 'ns' }, deprecatedSource: { component: 'kubelet' } }],
  ...attrCases.map(([group, kind, obj]) => [group, kind, obj] as [string, string, Record<string, unknown>]),
  ['example.com', 'Widget', { metadata: { name: 'w', namespace: 'ns' } }],
];

for (const [group, kind, obj] of getterCases) {
  test(`fieldGetter reads what fieldAttrsFor exposes for ${group || 'core'} ${kind} ${(obj.metadata as { name: string }).name}`, () => {
    const attrs = fieldAttrsFor(group, kind, obj);
    const fields = new Set([...Object.keys(attrs), 'metadata.name', 'metadata.namespace', 'status.podIPs', 'no.such.field']);
    for (const field of fields) {
      const want = Object.prototype.hasOwnProperty.call(attrs, field) ? attrs[field] : '';
      assert.equal(fieldGetter(group, kind, field)(obj), want, field);
      for (const op of ['=', '!=']) {
        const sel = parseFieldSelector(`${field}${op}${escapeFieldValue(want)}`);
        const viaGetters = fieldSelectorPredicate(sel, (f) => fieldGetter(group, kind, f))(obj);
        assert.equal(viaGetters, matchesFields(sel, attrs), `${field}${op}`);
        assert.equal(viaGetters, op === '=');
      }
    }
  });
}
