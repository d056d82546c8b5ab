// admissionregistration.k8s.io/v1 defaults for ValidatingAdmissionPolicy and its binding, through
// applyDefaults as the store calls it (upstream pkg/apis/admissionregistration/v1/defaults.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { applyDefaults, defaulterFor } from '../../../src/api/defaults/index.js';

type Obj = Record<string, any>;
const group = 'admissionregistration.k8s.io';

function defaulted(kind: string, spec: Obj | undefined): Obj {
  const o: KubeObject = { apiVersion: `${group}/v1`, kind, metadata: { name: 'x' }, ...(spec ? { spec: structuredClone(spec) } : {}) };
  applyDefaults(group, 'v1', kind, o);
  return o as Obj;
}
const policy = (spec?: Obj) => defaulted('ValidatingAdmissionPolicy', spec);
const binding = (spec?: Obj) => defaulted('ValidatingAdmissionPolicyBinding', spec);

const rule = (extra: Obj = {}) => ({ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'], ...extra });

test('both kinds have a defaulter', () => {
  assert.equal(typeof defaulterFor(group, 'ValidatingAdmissionPolicy'), 'function');
  assert.equal(typeof defaulterFor(group, 'ValidatingAdmissionPolicyBinding'), 'function');
});

test('a policy without a spec gets one with failurePolicy Fail and nothing else', () => {
  assert.deepEqual(policy().spec, { failurePolicy: 'Fail' });
});

test('a failurePolicy the client set is kept, even an empty one (Go defaults only a nil pointer)', () => {
  assert.equal(policy({ failurePolicy: 'Ignore' }).spec.failurePolicy, 'Ignore');
  assert.equal(policy({ failurePolicy: '' }).spec.failurePolicy, '');
  assert.equal(policy({ failurePolicy: null }).spec.failurePolicy, 'Fail');
});

test('matchConstraints get matchPolicy Equivalent, empty selectors, and scope * on every rule', () => {
  const spec = policy({ matchConstraints: { resourceRules: [rule(), rule({ scope: 'Namespaced' })], excludeResourceRules: [rule({ resourceNames: ['kept'] })] } }).spec;
  assert.deepEqual(spec.matchConstraints, {
    matchPolicy: 'Equivalent',
    namespaceSelector: {},
    objectSelector: {},
    resourceRules: [rule({ scope: '*' }), rule({ scope: 'Namespaced' })],
    excludeResourceRules: [rule({ resourceNames: ['kept'], scope: '*' })],
  });
});

test('what the client set in matchConstraints is kept; explicit nulls are defaulted', () => {
  const selector = { matchLabels: { env: 'prod' } };
  const mc = policy({ matchConstraints: { matchPolicy: 'Exact', namespaceSelector: selector, objectSelector: null, resourceRules: [rule({ scope: null })] } }).spec.matchConstraints;
  assert.equal(mc.matchPolicy, 'Exact');
  assert.deepEqual(mc.namespaceSelector, selector);
  assert.deepEqual(mc.objectSelector, {});
  assert.equal(mc.resourceRules[0].scope, '*');
});

test('a policy without matchConstraints gets none (validation requires them)', () => {
  assert.equal('matchConstraints' in policy({ validations: [{ expression: 'true' }] }).spec, false);
});

test('a binding gets the same matchResources defaults when it has matchResources', () => {
  const spec = binding({ policyName: 'p', validationActions: ['Deny'], matchResources: { resourceRules: [rule()] } }).spec;
  assert.deepEqual(spec.matchResources, { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, resourceRules: [rule({ scope: '*' })] });
});

test('a binding without matchResources, or without a spec, is left as it is', () => {
  assert.deepEqual(binding({ policyName: 'p', validationActions: ['Deny'] }).spec, { policyName: 'p', validationActions: ['Deny'] });
  assert.equal(binding().spec, undefined);
});

test('v1 gives paramRef no parameterNotFoundAction (only v1alpha1 defaulted it)', () => {
  assert.deepEqual(binding({ policyName: 'p', paramRef: { name: 'limits' } }).spec.paramRef, { name: 'limits' });
});
