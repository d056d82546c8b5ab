// Quota's pure parts: exact ResourceList arithmetic and what each kind is charged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { add, equals, lessThanOrEqual, prettyPrint, subtractNonNegative } from '../../src/api/quota/resource-list.js';
import { evaluatorFor, quotaMatches } from '../../src/api/quota/evaluators.js';

describe('quota resource lists', () => {
  test('sums are exact and printed as the API server prints quantities', () => {
    assert.deepEqual(add({ cpu: '100m', memory: '1Gi' }, { cpu: '0.2', memory: '512Mi', pods: '1' }), { cpu: '300m', memory: '1536Mi', pods: '1' });
    assert.deepEqual(add({ memory: '0' }, { memory: '1Gi' }), { memory: '1Gi' });
    assert.deepEqual(subtractNonNegative({ pods: '1', cpu: '1' }, { pods: '2', cpu: '250m' }), { pods: '0', cpu: '750m' });
    assert.ok(equals({ cpu: '1' }, { cpu: '1000m' }));
    assert.deepEqual(lessThanOrEqual({ pods: '3', cpu: '1' }, { pods: '2' }), { allowed: false, exceeded: ['pods'] });
    assert.equal(prettyPrint({ pods: '1', 'limits.cpu': '500m' }), 'limits.cpu=500m,pods=1');
  });
});

describe('quota evaluators', () => {
  const now = Date.now();
  test('a pod is charged its container requests and limits, the larger of init containers, and overhead', () => {
    const pod = {
      spec: {
        containers: [{ resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } } }, { resources: { requests: { cpu: '100m' } } }],
        initContainers: [{ resources: { requests: { cpu: '500m' } } }],
        overhead: { cpu: '10m' },
      },
    };
    assert.deepEqual(evaluatorFor('', 'pods').usage(pod, now), {
      'count/pods': '1',
      pods: '1',
      cpu: '510m',
      'requests.cpu': '510m',
      'limits.cpu': '210m',
      memory: '64Mi',
      'requests.memory': '64Mi',
    });
  });

  test('a finished pod keeps only its object count', () => {
    assert.deepEqual(evaluatorFor('', 'pods').usage({ spec: { containers: [{}] }, status: { phase: 'Succeeded' } }, now), { 'count/pods': '1' });
  });

  test('services count load balancers and node ports; claims count storage per class', () => {
    assert.deepEqual(evaluatorFor('', 'services').usage({ spec: { type: 'LoadBalancer', ports: [{}, {}] } }, now), { services: '1', 'count/services': '1', 'services.loadbalancers': '1', 'services.nodeports': '2' });
    assert.deepEqual(evaluatorFor('', 'persistentvolumeclaims').usage({ spec: { storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } } }, now), {
      persistentvolumeclaims: '1',
      'count/persistentvolumeclaims': '1',
      'requests.storage': '5Gi',
      'fast.storageclass.storage.k8s.io/requests.storage': '5Gi',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
    });
    assert.deepEqual(evaluatorFor('apps', 'deployments').usage({}, now), { 'count/deployments.apps': '1' });
  });

  test('scope selectors: PriorityClass In matches the pod priority class; scoped quotas never match non-pod kinds', () => {
    const quota = { spec: { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }, status: { hard: { pods: '1', 'count/configmaps': '1' } } };
    assert.equal(quotaMatches(quota, evaluatorFor('', 'pods'), { spec: { priorityClassName: 'high' } }), true);
    assert.equal(quotaMatches(quota, evaluatorFor('', 'pods'), { spec: { priorityClassName: 'low' } }), false);
    assert.equal(quotaMatches(quota, evaluatorFor('', 'configmaps'), {}), false);
  });
});
