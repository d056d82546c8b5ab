// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding validation through
// validateObject / validateObjectUpdate, after defaulting as the store does, each rule checked by
// upstream's rendered message (pkg/apis/admissionregistration/validation). Compile errors carry
// the CEL library's wording, so those are checked by field, quoted value and upstream's prefix.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { fieldErrorMessage } from '../../../src/api/status.js';
import { applyDefaults } from '../../../src/api/defaults/index.js';
import { validateObject, validateObjectUpdate } from '../../../src/api/validation/index.js';
import { loadCEL } from '../../../src/api/cel/library.js';

type Obj = Record<string, any>;
const group = 'admissionregistration.k8s.io';
const VAP = 'ValidatingAdmissionPolicy';
const VAPB = 'ValidatingAdmissionPolicyBinding';

const subdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1035Msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const qnamePartMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const qnameMsg = "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const labelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const atLeastOne = 'validations or auditAnnotations must contain at least one item';
const denyAndWarn = 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)';

const rule = (extra: Obj = {}): Obj => ({ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'], ...extra });

function policy(edit: (spec: Obj) => void = () => {}, name = 'p.example.com'): KubeObject {
  const spec: Obj = { matchConstraints: { resourceRules: [rule()] }, validations: [{ expression: 'object.spec.replicas <= 5' }] };
  edit(spec);
  return { apiVersion: `${group}/v1`, kind: VAP, metadata: { name }, spec };
}

function binding(edit: (spec: Obj) => void = () => {}): KubeObject {
  const spec: Obj = { policyName: 'p.example.com', validationActions: ['Deny'] };
  edit(spec);
  return { apiVersion: `${group}/v1`, kind: VAPB, metadata: { name: 'b.example.com' }, spec };
}

function messages(kind: string, obj: KubeObject): string[] {
  const o = structuredClone(obj);
  applyDefaults(group, 'v1', kind, o);
  return validateObject(group, 'v1', kind, o).map(fieldErrorMessage);
}

/** As the store does it: the stored object was defaulted on create; the update is a changed copy. */
function updateMessages(kind: string, old: KubeObject, change: (o: Obj) => void): string[] {
  const before = structuredClone(old);
  applyDefaults(group, 'v1', kind, before);
  (before.metadata ??= {}).resourceVersion = '7';
  const after = structuredClone(before) as Obj;
  change(after);
  applyDefaults(group, 'v1', kind, after as KubeObject);
  return validateObjectUpdate(group, 'v1', kind, after as KubeObject, before).map(fieldErrorMessage);
}

const at = (i = 0) => `spec.matchConstraints.resourceRules[${i}]`;

// Runs first, before any test loads the library: the registry loads it before a policy is
// validated, and a validator called earlier skips the compile step instead of failing.
test('without the CEL library loaded, expressions are checked for presence but not compiled', () => {
  assert.deepEqual(messages(VAP, policy((s) => (s.validations = [{ expression: '1 +' }, { expression: ' ' }]))), [
    'spec.validations[1].expression: Required value: expression is not specified',
  ]);
});

describe('ValidatingAdmissionPolicy', () => {
  before(() => loadCEL());

  interface Case { name: string; obj: KubeObject; expect: string[] }
  const cases: Case[] = [
    { name: 'a policy with a resource rule and one validation is valid', obj: policy(), expect: [] },
    { name: 'audit annotations alone are enough', obj: policy((s) => { delete s.validations; s.auditAnnotations = [{ key: 'replicas', valueExpression: 'string(object.spec.replicas)' }]; }), expect: [] },
    { name: 'a policy without a spec needs matchConstraints and something to check', obj: { apiVersion: `${group}/v1`, kind: VAP, metadata: { name: 'p' } },
      expect: ['spec.matchConstraints: Required value', `spec.validations: Required value: ${atLeastOne}`, `spec.auditAnnotations: Required value: ${atLeastOne}`] },
    { name: 'failurePolicy is Fail or Ignore', obj: policy((s) => (s.failurePolicy = 'Sometimes')), expect: ['spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"'] },
    { name: 'an empty failurePolicy is not defaulted, and not supported', obj: policy((s) => (s.failurePolicy = '')), expect: ['spec.failurePolicy: Unsupported value: "": supported values: "Fail", "Ignore"'] },
    { name: 'matchConstraints need a resource rule', obj: policy((s) => (s.matchConstraints = { excludeResourceRules: [rule()] })), expect: ['spec.matchConstraints.resourceRules: Required value'] },
    { name: 'matchPolicy is Equivalent or Exact', obj: policy((s) => (s.matchConstraints.matchPolicy = 'Fuzzy')), expect: ['spec.matchConstraints.matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"'] },
    { name: 'a rule needs operations, groups, versions and resources', obj: policy((s) => (s.matchConstraints.resourceRules = [{}])),
      expect: [`${at()}.operations: Required value`, `${at()}.apiGroups: Required value`, `${at()}.apiVersions: Required value`, `${at()}.resources: Required value`] },
    { name: 'the core group "" is a group', obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ apiGroups: [''], resources: ['pods'] })])), expect: [] },
    { name: "'*' among API groups must be alone", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ apiGroups: ['*', 'apps'] })])), expect: [`${at()}.apiGroups: Invalid value: ["*","apps"]: if '*' is present, must not specify other API groups`] },
    { name: "'*' among API versions must be alone", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ apiVersions: ['v1', '*'] })])), expect: [`${at()}.apiVersions: Invalid value: ["v1","*"]: if '*' is present, must not specify other API versions`] },
    { name: 'an API version may not be empty', obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ apiVersions: ['v1', ''] })])), expect: [`${at()}.apiVersions[1]: Required value`] },
    { name: "'*' among operations must be alone", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ operations: ['*', 'CREATE'] })])), expect: [`${at()}.operations: Invalid value: ["*","CREATE"]: if '*' is present, must not specify other operations`] },
    { name: 'an operation is CREATE, UPDATE, DELETE, CONNECT or *', obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ operations: ['CREATE', 'PATCH'] })])),
      expect: [`${at()}.operations[1]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"`] },
    { name: 'a resource may not be empty', obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resources: [''] })])), expect: [`${at()}.resources[0]: Required value`] },
    { name: "'*/*' must be the only resource", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resources: ['*/*', 'pods'] })])), expect: [`${at()}.resources: Invalid value: ["*/*","pods"]: if '*/*' is present, must not specify other resources`] },
    { name: "'pods/*' covers pods/log", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resources: ['pods/*', 'pods/log'] })])), expect: [`${at()}.resources[1]: Invalid value: "pods/log": if 'pods/*' is present, must not specify pods/log`] },
    { name: "'*/status' covers pods/status", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resources: ['*/status', 'pods/status'] })])), expect: [`${at()}.resources[1]: Invalid value: "pods/status": if '*/status' is present, must not specify pods/status`] },
    { name: "'*' covers every resource without a subresource", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resources: ['*', 'pods'] })])), expect: [`${at()}.resources: Invalid value: ["*","pods"]: if '*' is present, must not specify other resources without subresources`] },
    { name: "'*' with subresources of named resources is allowed", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resources: ['*', 'pods/log'] })])), expect: [] },
    { name: "upstream only looks at the last plain resource: 'pods' before '*' passes", obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resources: ['pods', '*'] })])), expect: [] },
    { name: 'scope is *, Cluster or Namespaced', obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ scope: 'Global' })])), expect: [`${at()}.scope: Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"`] },
    { name: 'resource names are path segments, each once', obj: policy((s) => (s.matchConstraints.resourceRules = [rule({ resourceNames: ['a/b', 'x', 'x'] })])),
      expect: [`${at()}.resourceNames[0]: Invalid value: "a/b": may not contain '/'`, `${at()}.resourceNames[2]: Duplicate value: "x"`] },
    { name: 'exclude rules are checked as rules', obj: policy((s) => (s.matchConstraints.excludeResourceRules = [rule({ operations: [] })])), expect: ['spec.matchConstraints.excludeResourceRules[0].operations: Required value'] },
    { name: 'the namespace selector is validated', obj: policy((s) => (s.matchConstraints.namespaceSelector = { matchExpressions: [{ key: 'env', operator: 'Near', values: ['x'] }] })),
      expect: ['spec.matchConstraints.namespaceSelector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'] },
    { name: 'the object selector checks label values strictly', obj: policy((s) => (s.matchConstraints.objectSelector = { matchLabels: { app: 'b c' } })), expect: [`spec.matchConstraints.objectSelector.matchLabels: Invalid value: "b c": ${labelValueMsg}`] },

    { name: 'an empty paramKind needs apiVersion and kind', obj: policy((s) => (s.paramKind = {})), expect: ['spec.paramKind.apiVersion: Required value', 'spec.paramKind.kind: Required value'] },
    { name: 'a paramKind of a core kind in mixed case is valid', obj: policy((s) => (s.paramKind = { apiVersion: 'v1', kind: 'ConfigMap' })), expect: [] },
    { name: 'paramKind.apiVersion has at most one slash', obj: policy((s) => (s.paramKind = { apiVersion: 'a/b/c', kind: 'X' })), expect: ['spec.paramKind.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c'] },
    { name: 'paramKind.apiVersion group is a DNS subdomain', obj: policy((s) => (s.paramKind = { apiVersion: 'Example.com/v1', kind: 'X' })), expect: [`spec.paramKind.apiVersion: Invalid value: "Example.com": ${subdomainMsg}`] },
    { name: 'paramKind.apiVersion needs a version', obj: policy((s) => (s.paramKind = { apiVersion: 'example.com/', kind: 'X' })), expect: ['spec.paramKind.apiVersion: Invalid value: "example.com/": version must be specified'] },
    { name: 'paramKind.apiVersion version is a DNS-1035 label', obj: policy((s) => (s.paramKind = { apiVersion: 'example.com/V1', kind: 'X' })), expect: [`spec.paramKind.apiVersion: Invalid value: "V1": ${dns1035Msg}`] },
    { name: 'paramKind.kind may have mixed case but is otherwise a DNS-1035 label', obj: policy((s) => (s.paramKind = { apiVersion: 'v1', kind: 'Config_Map' })),
      expect: [`spec.paramKind.kind: Invalid value: "Config_Map": may have mixed case, but should otherwise match: ${dns1035Msg}`] },

    { name: 'a match condition needs an expression and a name', obj: policy((s) => (s.matchConditions = [{ expression: '  ' }])),
      expect: ['spec.matchConditions[0].expression: Required value', 'spec.matchConditions[0].name: Required value'] },
    { name: 'a match condition name is a qualified name', obj: policy((s) => (s.matchConditions = [{ name: 'a/b/c', expression: 'true' }])), expect: [`spec.matchConditions[0].name: Invalid value: "a/b/c": ${qnameMsg}`] },
    { name: 'match condition names are unique', obj: policy((s) => (s.matchConditions = [{ name: 'm', expression: 'true' }, { name: 'm', expression: 'false' }])), expect: ['spec.matchConditions[1].name: Duplicate value: "m"'] },
    { name: 'at most 64 match conditions', obj: policy((s) => (s.matchConditions = Array.from({ length: 65 }, (_, i) => ({ name: `m${i}`, expression: 'true' })))), expect: ['spec.matchConditions: Too many: 65: must have at most 64 items'] },

    { name: 'a variable needs a name', obj: policy((s) => (s.variables = [{ name: ' ', expression: 'true' }])), expect: ['spec.variables[0].name: Required value: name is not specified'] },
    { name: 'a variable name is a CEL identifier', obj: policy((s) => (s.variables = [{ name: '4ever', expression: 'true' }])), expect: ['spec.variables[0].name: Invalid value: "4ever": name is not a valid CEL identifier'] },
    { name: 'a variable name may not be a CEL reserved word', obj: policy((s) => (s.variables = [{ name: 'namespace', expression: 'true' }])), expect: ['spec.variables[0].name: Invalid value: "namespace": name is not a valid CEL identifier'] },
    { name: 'a variable needs an expression', obj: policy((s) => (s.variables = [{ name: 'x', expression: '' }])), expect: ['spec.variables[0].expression: Required value: expression is not specified'] },
    { name: 'two variables of one name are not refused (upstream lets the later one win)', obj: policy((s) => (s.variables = [{ name: 'x', expression: '1' }, { name: 'x', expression: '2' }])), expect: [] },

    { name: 'a validation needs an expression', obj: policy((s) => (s.validations = [{ expression: ' \t' }])), expect: ['spec.validations[0].expression: Required value: expression is not specified'] },
    { name: 'a blank message is refused', obj: policy((s) => (s.validations[0].message = '  ')), expect: ['spec.validations[0].message: Invalid value: "  ": message must be non-empty if specified'] },
    { name: 'a message may not contain a line break', obj: policy((s) => (s.validations[0].message = 'too\nmany')), expect: ['spec.validations[0].message: Invalid value: "too\\nmany": message must not contain line breaks'] },
    { name: 'a line break at the end of a message is trimmed away', obj: policy((s) => (s.validations[0].message = 'too many replicas\n')), expect: [] },
    { name: 'a blank messageExpression is refused', obj: policy((s) => (s.validations[0].messageExpression = ' ')), expect: ['spec.validations[0].messageExpression: Invalid value: " ": must be non-empty if specified'] },
    { name: 'a reason is Forbidden, Invalid or RequestEntityTooLarge (Unauthorized is documented but refused)', obj: policy((s) => (s.validations[0].reason = 'Unauthorized')),
      expect: ['spec.validations[0].reason: Unsupported value: "Unauthorized": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"'] },
    { name: 'reason Forbidden is accepted', obj: policy((s) => (s.validations[0].reason = 'Forbidden')), expect: [] },

    { name: 'an audit annotation key joins the policy name as a qualified name', obj: policy((s) => (s.auditAnnotations = [{ key: 'bad key', valueExpression: "'x'" }])),
      expect: [`spec.auditAnnotations[0].key: Invalid value: "p.example.com/bad key": ${qnamePartMsg}`] },
    { name: 'an audit annotation needs a value expression', obj: policy((s) => (s.auditAnnotations = [{ key: 'k', valueExpression: ' ' }])), expect: ['spec.auditAnnotations[0].valueExpression: Required value: valueExpression is not specified'] },
    { name: 'a value expression has at most 5120 bytes (reported as Required, as upstream does)', obj: policy((s) => (s.auditAnnotations = [{ key: 'k', valueExpression: `'${'é'.repeat(2560)}'` }])),
      expect: ['spec.auditAnnotations[0].valueExpression: Required value: must not exceed 5120 bytes in length'] },
    { name: 'audit annotation keys are unique', obj: policy((s) => (s.auditAnnotations = [{ key: 'k', valueExpression: "'a'" }, { key: 'k', valueExpression: "'b'" }])), expect: ['spec.auditAnnotations[1].key: Duplicate value: "k"'] },
  ];

  for (const c of cases) test(c.name, () => assert.deepEqual(messages(VAP, c.obj), c.expect));

  test('at most 20 audit annotations', () => {
    const annotations = Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, valueExpression: "'v'" }));
    assert.deepEqual(messages(VAP, policy((s) => (s.auditAnnotations = annotations))), [`spec.auditAnnotations: Invalid value: ${JSON.stringify(annotations)}: must not have more than 20 auditAnnotations`]);
  });

  test('without defaulting, matchPolicy and both selectors are required', () => {
    const o = policy();
    assert.deepEqual(validateObject(group, 'v1', VAP, o).map(fieldErrorMessage), [
      'spec.failurePolicy: Required value',
      'spec.matchConstraints.matchPolicy: Required value',
      'spec.matchConstraints.namespaceSelector: Required value',
      'spec.matchConstraints.objectSelector: Required value',
    ]);
  });

  test('the policy is cluster-scoped and named as a DNS subdomain', () => {
    const o = policy(undefined, 'P');
    o.metadata!.namespace = 'default';
    assert.deepEqual(messages(VAP, o), [`metadata.name: Invalid value: "P": ${subdomainMsg}`, 'metadata.namespace: Forbidden: not allowed on this type']);
  });
});

describe('ValidatingAdmissionPolicy expressions compile', () => {
  before(() => loadCEL());

  const only = (obj: KubeObject) => {
    const got = messages(VAP, obj);
    assert.equal(got.length, 1, got.join('\n'));
    return got[0];
  };

  test('a validation that does not parse fails compilation', () => {
    assert.ok(only(policy((s) => (s.validations = [{ expression: '1 +' }]))).startsWith('spec.validations[0].expression: Invalid value: "1 +": compilation failed: '));
  });

  test('a validation must evaluate to bool', () => {
    assert.match(only(policy((s) => (s.validations = [{ expression: "'yes'" }]))), /^spec\.validations\[0\]\.expression: Invalid value: "'yes'": must evaluate to bool/);
  });

  test('a messageExpression must evaluate to string', () => {
    assert.match(only(policy((s) => (s.validations[0].messageExpression = '42'))), /^spec\.validations\[0\]\.messageExpression: Invalid value: "42": must evaluate to string/);
  });

  test('params exist only with a paramKind', () => {
    const withParams = (s: Obj) => (s.validations = [{ expression: 'object.spec.replicas <= params.max', messageExpression: "'at most ' + string(params.max)" }]);
    const got = messages(VAP, policy(withParams));
    assert.equal(got.length, 2, got.join('\n'));
    assert.ok(got[0].startsWith('spec.validations[0].expression: Invalid value: "object.spec.replicas <= params.max": compilation failed: '));
    assert.ok(got[1].startsWith('spec.validations[0].messageExpression: Invalid value: "\'at most \' + string(params.max)": compilation failed: '));
    assert.deepEqual(messages(VAP, policy((s) => { withParams(s); s.paramKind = { apiVersion: 'v1', kind: 'ConfigMap' }; })), []);
  });

  test('a match condition is compiled trimmed and quoted trimmed, and must evaluate to bool', () => {
    assert.ok(only(policy((s) => (s.matchConditions = [{ name: 'm', expression: '  1 +  ' }]))).startsWith('spec.matchConditions[0].expression: Invalid value: "1 +": compilation failed: '));
    assert.match(only(policy((s) => (s.matchConditions = [{ name: 'm', expression: '1' }]))), /^spec\.matchConditions\[0\]\.expression: Invalid value: "1": must evaluate to bool/);
  });

  test('match conditions see params with a paramKind but never the variables', () => {
    assert.deepEqual(messages(VAP, policy((s) => { s.paramKind = { apiVersion: 'v1', kind: 'ConfigMap' }; s.matchConditions = [{ name: 'm', expression: "has(params.data) && request.operation == 'CREATE'" }]; })), []);
    const got = only(policy((s) => { s.variables = [{ name: 'big', expression: 'object.spec.replicas > 3' }]; s.matchConditions = [{ name: 'm', expression: 'variables.big' }]; }));
    assert.ok(got.startsWith('spec.matchConditions[0].expression: Invalid value: "variables.big": compilation failed: '), got);
  });

  test('a variable sees the variables before it, not after', () => {
    const vars = [{ name: 'a', expression: 'variables.b + 1' }, { name: 'b', expression: '1' }, { name: 'c', expression: 'variables.b + 1' }];
    assert.ok(only(policy((s) => (s.variables = vars))).startsWith('spec.variables[0].expression: Invalid value: "variables.b + 1": compilation failed: '));
  });

  test('validations see every variable, typed by its expression', () => {
    assert.deepEqual(messages(VAP, policy((s) => { s.variables = [{ name: 'small', expression: 'object.spec.replicas <= 5' }]; s.validations = [{ expression: 'variables.small' }]; })), []);
    const got = only(policy((s) => { s.variables = [{ name: 's', expression: "'text'" }]; s.validations = [{ expression: 'variables.s + 1 == 2' }]; }));
    assert.ok(got.startsWith('spec.validations[0].expression: Invalid value: "variables.s + 1 == 2": compilation failed: '), got);
  });

  test('an audit annotation value is compiled trimmed but quoted as written, and is a string or null', () => {
    const valid = [{ key: 'size', valueExpression: " string(object.spec.replicas) + ' replicas' " }, { key: 'none', valueExpression: 'null' }];
    assert.deepEqual(messages(VAP, policy((s) => (s.auditAnnotations = valid))), []);
    assert.match(only(policy((s) => (s.auditAnnotations = [{ key: 'k', valueExpression: '  1  ' }]))), /^spec\.auditAnnotations\[0\]\.valueExpression: Invalid value: " {2}1 {2}": must evaluate to one of/);
  });
});

describe('ValidatingAdmissionPolicy update', () => {
  before(() => loadCEL());

  const stored = policy((s) => (s.matchConditions = [{ name: 'a/b/c', expression: 'true' }]));

  test('match conditions left as they were are not re-checked', () => {
    assert.deepEqual(updateMessages(VAP, stored, (o) => (o.spec.validations = [{ expression: 'true' }])), []);
  });

  test('changed match conditions are checked', () => {
    assert.deepEqual(updateMessages(VAP, stored, (o) => o.spec.matchConditions.push({ name: 'n', expression: 'true' })), [`spec.matchConditions[0].name: Invalid value: "a/b/c": ${qnameMsg}`]);
  });

  test('a changed paramKind re-checks the match conditions, which may read params', () => {
    assert.deepEqual(updateMessages(VAP, stored, (o) => (o.spec.paramKind = { apiVersion: 'v1', kind: 'ConfigMap' })), [`spec.matchConditions[0].name: Invalid value: "a/b/c": ${qnameMsg}`]);
  });

  test('the rest of the policy is validated as on create', () => {
    assert.deepEqual(updateMessages(VAP, policy(), (o) => (o.spec.failurePolicy = 'Never')), ['spec.failurePolicy: Unsupported value: "Never": supported values: "Fail", "Ignore"']);
  });
});

describe('ValidatingAdmissionPolicyBinding', () => {
  interface Case { name: string; obj: KubeObject; expect: string[] }
  const cases: Case[] = [
    { name: 'a binding with a policy and an action is valid', obj: binding(), expect: [] },
    { name: 'a binding needs a policy name and an action', obj: binding((s) => { delete s.policyName; delete s.validationActions; }),
      expect: ['spec.policyName: Required value', 'spec.validationActions: Required value: at least one validation action is required'] },
    { name: 'the policy name is a DNS subdomain', obj: binding((s) => (s.policyName = 'Policy')), expect: [`spec.policyName: Invalid value: "Policy": ${subdomainMsg}`] },
    { name: 'an action is Deny, Warn or Audit', obj: binding((s) => (s.validationActions = ['Block'])), expect: ['spec.validationActions[0]: Unsupported value: "Block": supported values: "Audit", "Deny", "Warn"'] },
    { name: 'an action is listed once', obj: binding((s) => (s.validationActions = ['Audit', 'Audit'])), expect: ['spec.validationActions[1]: Duplicate value: "Audit"'] },
    { name: 'Deny and Warn together are refused', obj: binding((s) => (s.validationActions = ['Deny', 'Warn', 'Audit'])), expect: [`spec.validationActions: Invalid value: ["Deny","Warn","Audit"]: ${denyAndWarn}`] },
    { name: 'Warn and Audit together are fine', obj: binding((s) => (s.validationActions = ['Warn', 'Audit'])), expect: [] },
    { name: 'a paramRef names its parameter one way and says what a missing one means', obj: binding((s) => (s.paramRef = {})),
      expect: ['spec.paramRef: Required value: one of name or selector must be specified', 'spec.paramRef.parameterNotFoundAction: Required value'] },
    { name: 'a paramRef by name in a namespace is valid', obj: binding((s) => (s.paramRef = { name: 'limits', namespace: 'default', parameterNotFoundAction: 'Deny' })), expect: [] },
    { name: 'a paramRef by selector is valid', obj: binding((s) => (s.paramRef = { selector: { matchLabels: { tier: 'gold' } }, parameterNotFoundAction: 'Allow' })), expect: [] },
    { name: 'name and selector are mutually exclusive', obj: binding((s) => (s.paramRef = { name: 'limits', selector: {}, parameterNotFoundAction: 'Deny' })),
      expect: ['spec.paramRef.name: Forbidden: name and selector are mutually exclusive', 'spec.paramRef.selector: Forbidden: name and selector are mutually exclusive'] },
    { name: 'a paramRef name is a path segment', obj: binding((s) => (s.paramRef = { name: 'a/b', parameterNotFoundAction: 'Deny' })), expect: ['spec.paramRef.name: Invalid value: "a/b": may not contain \'/\''] },
    { name: 'the paramRef selector is validated', obj: binding((s) => (s.paramRef = { selector: { matchExpressions: [{ key: 'tier', operator: 'In' }] }, parameterNotFoundAction: 'Deny' })),
      expect: ["spec.paramRef.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"] },
    { name: 'parameterNotFoundAction is Deny or Allow', obj: binding((s) => (s.paramRef = { name: 'limits', parameterNotFoundAction: 'Ignore' })),
      expect: ['spec.paramRef.parameterNotFoundAction: Unsupported value: "Ignore": supported values: "Deny", "Allow"'] },
    { name: 'upstream does not check the paramRef namespace', obj: binding((s) => (s.paramRef = { name: 'limits', namespace: 'Not_A_Label', parameterNotFoundAction: 'Deny' })), expect: [] },
    { name: 'matchResources need no resource rules in a binding', obj: binding((s) => (s.matchResources = { namespaceSelector: { matchLabels: { env: 'prod' } } })), expect: [] },
    { name: 'matchResources rules are validated', obj: binding((s) => (s.matchResources = { resourceRules: [rule({ scope: 'Everywhere' })] })),
      expect: ['spec.matchResources.resourceRules[0].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"'] },
  ];

  for (const c of cases) test(c.name, () => assert.deepEqual(messages(VAPB, c.obj), c.expect));

  test('an update is validated as a create', () => {
    assert.deepEqual(updateMessages(VAPB, binding(), (o) => (o.spec.validationActions = ['Warn', 'Deny'])), [`spec.validationActions: Invalid value: ["Warn","Deny"]: ${denyAndWarn}`]);
  });
});
