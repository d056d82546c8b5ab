// LimitRanger's pure parts: upstream's constraint messages and how defaults are merged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyContainerDefaults, claimViolations, limitRequestRatioConstraint, maxConstraint, minConstraint, podViolations } from '../../src/apiserver/admission/limit-ranger.js';

describe('LimitRanger constraints', () => {
  const rows: { name: string; got: string | undefined; want: string | undefined }[] = [
    { name: 'a request under the min is named with both values', got: minConstraint('Container', 'cpu', '100m', { cpu: '50m' }, {}), want: 'minimum cpu usage per Container is 100m, but request is 50m' },
    { name: 'a missing request under a min is refused', got: minConstraint('Container', 'memory', '1Mi', {}, {}), want: 'minimum memory usage per Container is 1Mi.  No request is specified' },
    { name: 'a limit over the max is refused', got: maxConstraint('Pod', 'cpu', '1', { cpu: '500m' }, { cpu: '1500m' }), want: 'maximum cpu usage per Pod is 1, but limit is 1500m' },
    { name: 'a missing limit under a max is refused', got: maxConstraint('Container', 'cpu', '1', {}, {}), want: 'maximum cpu usage per Container is 1.  No limit is specified' },
    { name: 'equal quantities in different units pass', got: maxConstraint('Container', 'cpu', '1', { cpu: '1000m' }, { cpu: '1000m' }), want: undefined },
    { name: 'a limit/request ratio above the max prints the ratio with six decimals', got: limitRequestRatioConstraint('Container', 'cpu', '2', { cpu: '100m' }, { cpu: '300m' }), want: 'cpu max limit to request ratio per Container is 2, but provided ratio is 3.000000' },
    { name: 'a ratio without a request is refused', got: limitRequestRatioConstraint('Container', 'memory', '2', {}, { memory: '1Gi' }), want: 'memory max limit to request ratio per Container is 2, but no request is specified or request is 0' },
  ];
  for (const r of rows) test(r.name, () => assert.equal(r.got, r.want));

  test('defaults fill only what a container does not state, for containers and init containers, and say so', () => {
    const spec = {
      containers: [{ name: 'a', resources: { limits: { cpu: '2' } } }, { name: 'b' }],
      initContainers: [{ name: 'init' }],
    };
    const notes = applyContainerDefaults(spec, [{ spec: { limits: [{ type: 'Container', default: { cpu: '1', memory: '1Gi' }, defaultRequest: { cpu: '500m', memory: '1Gi' } }] } }]);
    assert.deepEqual(spec.containers[0].resources, { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    assert.deepEqual(notes, [
      'cpu, memory request for container a',
      'memory limit for container a',
      'cpu, memory request for container b',
      'cpu, memory limit for container b',
      'cpu, memory request for init container init',
      'cpu, memory limit for init container init',
    ]);
  });

  test('type Pod limits apply to the pod total, type PersistentVolumeClaim to the storage request', () => {
    const spec = { containers: [{ name: 'a', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } }, { name: 'b', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } }] };
    assert.deepEqual(podViolations(spec, { spec: { limits: [{ type: 'Pod', max: { cpu: '1' } }] } }), ['maximum cpu usage per Pod is 1, but limit is 1200m']);
    const claim = { spec: { resources: { requests: { storage: '20Gi' } } } };
    assert.deepEqual(claimViolations(claim, { spec: { limits: [{ type: 'PersistentVolumeClaim', max: { storage: '10Gi' }, min: { storage: '1Gi' } }] } }), ['maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi']);
  });
});
