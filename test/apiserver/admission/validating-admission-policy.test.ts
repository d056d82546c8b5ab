// The parts of the ValidatingAdmissionPolicy plugin below the dispatcher, against upstream's
// semantics: which requests a policy's matchConstraints or a binding's matchResources select,
// how expressions compile (return types, params only with a paramKind, typed variables), and what
// one evaluation decides (message fallbacks, lazy variables, failurePolicy, audit annotations).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MatchResources, ValidatingAdmissionPolicy } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { loadCEL } from '../../../src/api/cel/library.js';
import { compilePolicyExpression, policyExpressionError } from '../../../src/api/cel/admission-policy.js';
import { celValue } from '../../../src/api/crd/cel-validation.js';
import { matchResources } from '../../../src/apiserver/admission/policy/match-resources.js';
import { compilePolicy } from '../../../src/apiserver/admission/policy/compiled-policy.js';
import { validatePolicy } from '../../../src/apiserver/admission/policy/validator.js';
import type { WebhookRequest } from '../../../src/apiserver/admission/webhook/types.js';
import type { ResourceEntry } from '../../../src/apiserver/registry/resource-entry.js';

before(() => loadCEL());

const configMap = (name: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'team', ...(labels && { labels }) }, data });

function request(over: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    resource: 'configmaps',
    subresource: '',
    kind: 'ConfigMap',
    namespaced: true,
    namespace: 'team',
    name: 'settings',
    object: configMap('settings', { a: '1' }),
    namespaceLabels: { env: 'prod' },
    userInfo: { username: 'alice', groups: ['system:authenticated'] },
    dryRun: false,
    ...over,
  };
}

const configMapRule = { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'], scope: '*' };

describe('matchConstraints and matchResources', () => {
  const cases: [string, MatchResources | undefined, Partial<WebhookRequest>, boolean][] = [
    ['a binding without matchResources selects every request its policy matches', undefined, {}, true],
    ['a rule selects its resource and operation', { resourceRules: [configMapRule] }, {}, true],
    ['an operation the rule does not list is not selected', { resourceRules: [configMapRule] }, { operation: 'DELETE' }, false],
    ['no resourceRules select every resource (a binding narrowing by namespace only)', { namespaceSelector: { matchLabels: { env: 'prod' } } }, { resource: 'secrets' }, true],
    ['resourceNames narrow a rule to those names', { resourceRules: [{ ...configMapRule, resourceNames: ['other'] }] }, {}, false],
    ['a name in resourceNames is selected', { resourceRules: [{ ...configMapRule, resourceNames: ['other', 'settings'] }] }, {}, true],
    ['excludeResourceRules win over resourceRules', { resourceRules: [configMapRule], excludeResourceRules: [{ ...configMapRule, resourceNames: ['settings'] }] }, {}, false],
    ['the namespaceSelector judges the namespace\'s labels', { resourceRules: [configMapRule], namespaceSelector: { matchLabels: { env: 'test' } } }, {}, false],
    ['the objectSelector judges the object\'s labels', { resourceRules: [configMapRule], objectSelector: { matchLabels: { tier: 'web' } } }, { object: configMap('settings', {}, { tier: 'web' }) }, true],
    ['or the old object\'s', { resourceRules: [configMapRule], objectSelector: { matchLabels: { tier: 'web' } } }, { operation: 'UPDATE', object: configMap('settings', {}), oldObject: configMap('settings', {}, { tier: 'web' }) }, true],
  ];
  for (const [name, mr, over, want] of cases) {
    test(name, () => assert.deepEqual(matchResources(mr, request(over)), { matches: want }));
  }

  test('a namespace that cannot be found is an error only where the rules select the request', () => {
    const mr: MatchResources = { resourceRules: [configMapRule], namespaceSelector: { matchLabels: { env: 'prod' } } };
    const selected = matchResources(mr, request({ namespaceLabels: undefined }));
    assert.ok('error' in selected);
    assert.equal(selected.error.message, 'namespaces "team" not found');
    assert.deepEqual(matchResources(mr, request({ namespaceLabels: undefined, operation: 'DELETE' })), { matches: false });
  });
});

describe('matchPolicy Equivalent', () => {
  // Backends served as v1 and v2 (same storage); the request is a v2 create.
  const entry = (version: string) => ({ prefix: '/backends/', type: { group: 'conv.example.com', version, plural: 'backends', kind: 'Backend' } }) as unknown as ResourceEntry;
  const v1 = entry('v1');
  const v2Request = () => request({ group: 'conv.example.com', version: 'v2', resource: 'backends', kind: 'Backend', name: 'web' });
  const onV1 = { apiGroups: ['conv.example.com'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['backends'], scope: '*' };
  const equivalents = () => [v1];

  test('rules naming only another version match through it, which the outcome names with the requested version kept', () => {
    const r = matchResources({ matchPolicy: 'Equivalent', resourceRules: [onV1] }, v2Request(), equivalents);
    assert.ok('matches' in r && r.matches && r.equivalent);
    assert.equal(r.equivalent.entry, v1);
    assert.equal(r.equivalent.request.version, 'v1');
    assert.deepEqual(r.equivalent.request.requested, { group: 'conv.example.com', version: 'v2', resource: 'backends', kind: 'Backend', kindGroup: undefined, kindVersion: undefined });
  });

  test('Exact, or no matchPolicy at all (upstream\'s nil), needs the requested version', () => {
    assert.deepEqual(matchResources({ matchPolicy: 'Exact', resourceRules: [onV1] }, v2Request(), equivalents), { matches: false });
    assert.deepEqual(matchResources({ resourceRules: [onV1] }, v2Request(), equivalents), { matches: false });
  });

  test('a rule naming the requested version wins over an earlier rule naming another', () => {
    const onV2 = { ...onV1, apiVersions: ['v2'] };
    assert.deepEqual(matchResources({ matchPolicy: 'Equivalent', resourceRules: [onV1, onV2] }, v2Request(), equivalents), { matches: true });
  });

  test('excludeResourceRules exclude through equivalent versions too; resourceNames still apply', () => {
    assert.deepEqual(matchResources({ matchPolicy: 'Equivalent', excludeResourceRules: [onV1] }, v2Request(), equivalents), { matches: false });
    assert.deepEqual(matchResources({ matchPolicy: 'Equivalent', resourceRules: [{ ...onV1, resourceNames: ['other'] }] }, v2Request(), equivalents), { matches: false });
    const named = matchResources({ matchPolicy: 'Equivalent', resourceRules: [{ ...onV1, resourceNames: ['web'] }] }, v2Request(), equivalents);
    assert.ok('matches' in named && named.matches && named.equivalent?.entry === v1);
  });
});

describe('compiling policy expressions', () => {
  const none = { params: false, variables: [] };
  test('a validation must be a bool, a messageExpression a string, an auditAnnotation a string or null', () => {
    assert.equal(policyExpressionError('object.spec.replicas <= 5', 'validation', none), undefined);
    assert.equal(policyExpressionError('object.spec.enabled', 'validation', none), 'must evaluate to bool');
    assert.equal(policyExpressionError("'x' + object.metadata.name", 'messageExpression', none), undefined);
    assert.equal(policyExpressionError('1', 'messageExpression', none), 'must evaluate to string');
    assert.equal(policyExpressionError('null', 'auditAnnotation', none), undefined);
    assert.equal(policyExpressionError('[1]', 'auditAnnotation', none), 'must evaluate to one of [string null_type]');
    assert.equal(policyExpressionError('[1]', 'variable', none), undefined);
  });

  test('params exist only for a policy with a paramKind', () => {
    assert.match(policyExpressionError('params.data.x == "1"', 'validation', none) ?? '', /^compilation failed: /);
    assert.equal(policyExpressionError('params.data.x == "1"', 'validation', { params: true, variables: [] }), undefined);
  });

  test('variables are typed by their expressions, each seeing only those before it', () => {
    const variables = [
      { name: 'isProd', expression: "namespaceObject.metadata.labels.env == 'prod'" },
      { name: 'both', expression: 'variables.isProd && request.dryRun' },
    ];
    // A bool variable is a validation on its own.
    assert.equal(policyExpressionError('variables.both', 'validation', { params: false, variables }), undefined);
    // By name alone a variable is dyn.
    assert.equal(policyExpressionError('variables.both', 'validation', { params: false, variables: ['both'] }), 'must evaluate to bool');
    assert.match(policyExpressionError('variables.later', 'variable', { params: false, variables: variables.slice(0, 1) }) ?? '', /^compilation failed: /);
    const syntax = compilePolicyExpression('object.spec.replicas <', 'validation', none);
    assert.ok('error' in syntax && syntax.error.startsWith('compilation failed: '));
  });
});

describe('one evaluation', () => {
  const policy = (spec: ValidatingAdmissionPolicy['spec']): ValidatingAdmissionPolicy => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'p' }, spec });
  const activation = (object: KubeObject | null, extra: Record<string, unknown> = {}) => ({ object: celValue(object), oldObject: null, request: celValue({ operation: 'CREATE' }), namespaceObject: null, ...extra });
  const evaluate = (spec: ValidatingAdmissionPolicy['spec'], object: KubeObject | null = configMap('settings', { a: '1' }), extra: Record<string, unknown> = {}) => {
    const p = policy(spec);
    return validatePolicy(p, compilePolicy(p), activation(object, extra));
  };

  test('a failed validation denies with its reason; the message falls back from messageExpression to message to the expression', () => {
    const object = configMap('settings', { a: '1', two: 'two\nlines', big: 'x'.repeat(5 * 1024 + 1), fits: 'y'.repeat(5 * 1024) });
    const r = evaluate({
      validations: [
        { expression: "object.data.a == '2'", messageExpression: "'a is ' + object.data.a", reason: 'Forbidden' },
        { expression: "object.data.a == '2'", messageExpression: "'  '", message: ' static ' },
        { expression: "object.data.a == '2'", messageExpression: 'string(object.data.two)' },
        { expression: "object.data.a == '2'", messageExpression: 'string(object.data.big)' },
        { expression: "object.data.a == '2'", messageExpression: 'string(object.data.fits)' },
        { expression: " object.data.a == '2' " },
        { expression: "object.data.a == '1'" },
      ],
    }, object);
    assert.deepEqual(
      r.decisions.map((d) => [d.action, d.reason, d.message]),
      [
        ['deny', 'Forbidden', 'a is 1'],
        ['deny', 'Invalid', 'static'],
        ['deny', 'Invalid', "failed expression: object.data.a == '2'"],
        ['deny', 'Invalid', "failed expression: object.data.a == '2'"],
        ['deny', 'Invalid', 'y'.repeat(5 * 1024)],
        ['deny', 'Invalid', "failed expression: object.data.a == '2'"],
        ['admit', undefined, ''],
      ],
    );
  });

  test('an evaluation error denies under Fail and admits under Ignore', () => {
    const validations = [{ expression: "object.data.missing == 'x'" }];
    assert.deepEqual(evaluate({ validations }).decisions, [{ action: 'deny', message: "expression 'object.data.missing == 'x'' resulted in error: no such key: missing", index: 0 }]);
    assert.equal(evaluate({ failurePolicy: 'Ignore', validations }).decisions[0].action, 'admit');
  });

  test('a false matchCondition skips the policy even when another fails; errors alone follow the failurePolicy', () => {
    const validations = [{ expression: 'false' }];
    assert.deepEqual(evaluate({ validations, matchConditions: [{ name: 'broken', expression: "object.data.missing == 'x'" }, { name: 'no', expression: 'false' }] }).decisions, []);
    const failed = evaluate({ validations, matchConditions: [{ name: 'broken', expression: "object.data.missing == 'x'" }] });
    assert.deepEqual(failed.decisions, [{ action: 'deny', message: "expression 'object.data.missing == 'x'' resulted in error: no such key: missing" }]);
    assert.deepEqual(evaluate({ failurePolicy: 'Ignore', validations, matchConditions: [{ name: 'broken', expression: "object.data.missing == 'x'" }] }).decisions, []);
  });

  test('variables are evaluated when read: one nobody reads may fail, one that is read names itself in the error', () => {
    const variables = [
      { name: 'broken', expression: 'object.data.missing' },
      { name: 'a', expression: 'object.data.a' },
    ];
    assert.equal(evaluate({ variables, validations: [{ expression: "variables.a == '1'" }] }).decisions[0].action, 'admit');
    assert.deepEqual(evaluate({ variables, validations: [{ expression: "variables.broken == '1'" }] }).decisions[0].message, `expression 'variables.broken == '1'' resulted in error: composited variable "broken" fails to evaluate: expression 'object.data.missing' resulted in error: no such key: missing`);
  });

  test('params: null without a param, the param object otherwise', () => {
    const spec = { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: "params == null || object.data.a == params.data.a", messageExpression: "'want ' + params.data.a" }] };
    assert.equal(evaluate(spec, undefined, { params: null }).decisions[0].action, 'admit');
    assert.deepEqual(evaluate(spec, undefined, { params: celValue(configMap('limits', { a: '2' })) }).decisions[0].message, 'want 2');
  });

  test('a DELETE has no object: oldObject is the object being deleted', () => {
    const p = policy({ validations: [{ expression: "object == null && oldObject.metadata.name == 'settings'" }] });
    const r = validatePolicy(p, compilePolicy(p), { ...activation(null), oldObject: celValue(configMap('settings', {})) });
    assert.equal(r.decisions[0].action, 'admit');
  });

  test('audit annotations: a value, an empty or null value left out, an error that denies under Fail only', () => {
    const auditAnnotations = [
      { key: 'owner', valueExpression: "' ' + object.metadata.name + ' '" },
      { key: 'blank', valueExpression: "''" },
      { key: 'none', valueExpression: 'null' },
      { key: 'broken', valueExpression: "object.data.missing + ''" },
    ];
    assert.deepEqual(evaluate({ auditAnnotations }).auditAnnotations, [
      { key: 'owner', value: 'settings' },
      { key: 'blank' },
      { key: 'none' },
      { key: 'broken', error: "expression 'object.data.missing + ''' resulted in error: no such key: missing" },
    ]);
    assert.deepEqual(evaluate({ failurePolicy: 'Ignore', auditAnnotations }).auditAnnotations.at(-1), { key: 'broken' });
  });

  test('an expression that does not compile is that expression\'s error at admission', () => {
    assert.deepEqual(evaluate({ validations: [{ expression: 'object.data' }] }).decisions[0].message, 'compilation error: must evaluate to bool');
  });
});
