// Which webhooks a request is sent to, as upstream's ShouldCallHook decides: the rules
// (operations, groups, versions, resources with their wildcards, scope), the namespaceSelector
// (a Namespace is judged by its own labels), the objectSelector (new or old object), and the
// matchConditions in CEL with upstream's failurePolicy handling and messages.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidatingWebhook } from 'kubernetes-types/admissionregistration/v1.js';
import type { KubeObject } from '../../../src/api/object.js';
import { StatusError } from '../../../src/api/status.js';
import { evaluateMatchConditions, matchConditionsFailure, webhookMatches, type WebhookRule } from '../../../src/apiserver/admission/webhook/matching.js';
import type { WebhookRequest } from '../../../src/apiserver/admission/webhook/types.js';
import { loadCEL } from '../../../src/api/cel/library.js';

// CEL is loaded on first need in the server; these tests call its evaluators directly.
before(() => loadCEL());

const pod = (labels?: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'team', ...(labels && { labels }) }, spec });

function request(over: Partial<WebhookRequest> = {}): WebhookRequest {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    resource: 'pods',
    subresource: '',
    kind: 'Pod',
    namespaced: true,
    namespace: 'team',
    name: 'web',
    object: pod(),
    namespaceLabels: {},
    userInfo: { username: 'alice', groups: ['devs', 'system:authenticated'] },
    dryRun: false,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    ...over,
  };
}

const everyRule: WebhookRule = { operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] };

function hook(over: Partial<ValidatingWebhook> & { rules?: WebhookRule[] } = {}): ValidatingWebhook {
  return { name: 'check.example.com', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://hook.example.com' }, sideEffects: 'None', rules: [everyRule], ...over };
}

const namespaceObject = (labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels } });
const namespaceRequest = (over: Partial<WebhookRequest>): WebhookRequest =>
  request({ resource: 'namespaces', kind: 'Namespace', namespaced: false, namespace: '', name: 'team', namespaceLabels: undefined, ...over });

describe('webhook rules', () => {
  const cases: [string, WebhookRule, Partial<WebhookRequest>, boolean][] = [
    ['an operation listed by name matches that operation', { ...everyRule, operations: ['CREATE'] }, {}, true],
    ['an operation not listed does not match', { ...everyRule, operations: ['UPDATE', 'DELETE'] }, {}, false],
    ['"*" in operations matches every operation', { ...everyRule, operations: ['*'] }, { operation: 'CONNECT' }, true],
    ['an API group listed by name matches it, the core group being ""', { ...everyRule, apiGroups: [''] }, {}, true],
    ['an API group not listed does not match', { ...everyRule, apiGroups: ['apps'] }, {}, false],
    ['an API version not listed does not match', { ...everyRule, apiVersions: ['v2'] }, {}, false],
    ['"pods" matches pods', { ...everyRule, resources: ['pods'] }, {}, true],
    ['"pods" does not match the status subresource of pods', { ...everyRule, resources: ['pods'] }, { subresource: 'status' }, false],
    ['"*" matches any resource', { ...everyRule, resources: ['*'] }, { resource: 'configmaps' }, true],
    ['"*" matches no subresource', { ...everyRule, resources: ['*'] }, { subresource: 'status' }, false],
    ['"*/*" matches subresources', { ...everyRule, resources: ['*/*'] }, { subresource: 'log' }, true],
    ['"pods/*" matches a subresource of pods', { ...everyRule, resources: ['pods/*'] }, { subresource: 'status' }, true],
    ['"pods/*" matches pods themselves too, as upstream compares the empty subresource with "*"', { ...everyRule, resources: ['pods/*'] }, {}, true],
    ['"pods/*" does not match a subresource of another resource', { ...everyRule, resources: ['pods/*'] }, { resource: 'services', subresource: 'status' }, false],
    ['"*/status" matches the status subresource of any resource', { ...everyRule, resources: ['*/status'] }, { resource: 'deployments', group: 'apps', subresource: 'status' }, true],
    ['"*/status" does not match the resource itself', { ...everyRule, resources: ['*/status'] }, {}, false],
    ['"pods/status" matches only the status subresource', { ...everyRule, resources: ['pods/status'] }, { subresource: 'status' }, true],
    ['"pods/status" does not match pods/log', { ...everyRule, resources: ['pods/status'] }, { subresource: 'log' }, false],
    ['scope Namespaced matches a namespaced request', { ...everyRule, scope: 'Namespaced' }, {}, true],
    ['scope Namespaced does not match a cluster-scoped request', { ...everyRule, scope: 'Namespaced' }, { resource: 'nodes', namespace: '', namespaced: false }, false],
    ['scope Cluster matches a cluster-scoped request', { ...everyRule, scope: 'Cluster' }, { resource: 'nodes', namespace: '', namespaced: false }, true],
    ['scope Cluster does not match a namespaced request', { ...everyRule, scope: 'Cluster' }, {}, false],
    ['scope Cluster matches a Namespace even when the request carries its name as namespace', { ...everyRule, scope: 'Cluster' }, { resource: 'namespaces', namespace: 'team' }, true],
    ['scope Namespaced never matches a Namespace', { ...everyRule, scope: 'Namespaced' }, { resource: 'namespaces', namespace: 'team' }, false],
    ['scope "*" matches both', { ...everyRule, scope: '*' }, { resource: 'nodes', namespace: '' }, true],
    ['an unknown scope matches nothing', { ...everyRule, scope: 'Elsewhere' }, {}, false],
  ];
  for (const [name, rule, over, want] of cases) {
    test(name, () => assert.equal(webhookMatches(hook({ rules: [rule] }), request(over)), want));
  }

  test('a webhook without rules matches no request', () => {
    assert.equal(webhookMatches(hook({ rules: [] }), request()), false);
    assert.equal(webhookMatches(hook({ rules: undefined }), request()), false);
  });

  test('any one of several rules is enough', () => {
    const rules: WebhookRule[] = [{ ...everyRule, resources: ['services'] }, { ...everyRule, resources: ['pods'] }];
    assert.equal(webhookMatches(hook({ rules }), request()), true);
  });

  test('webhook and admission policy configurations are never sent to webhooks, so that none can lock them', () => {
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']) {
      const req = request({ group: 'admissionregistration.k8s.io', resource: 'x', kind, namespace: '', namespaced: false });
      assert.equal(webhookMatches(hook(), req), false, kind);
    }
  });
});

describe('webhook namespaceSelector', () => {
  const prod = { matchLabels: { env: 'prod' } };
  const cases: [string, Partial<ValidatingWebhook>, WebhookRequest, boolean][] = [
    ['an absent selector selects every namespace', {}, request({ namespaceLabels: { env: 'dev' } }), true],
    ['an empty selector selects every namespace', { namespaceSelector: {} }, request({ namespaceLabels: { env: 'dev' } }), true],
    ['a namespaced request matches when its namespace has the labels', { namespaceSelector: prod }, request({ namespaceLabels: { env: 'prod' } }), true],
    ['a namespaced request does not match when its namespace lacks them', { namespaceSelector: prod }, request({ namespaceLabels: { env: 'dev' } }), false],
    ['NotIn selects a namespace without the label at all', { namespaceSelector: { matchExpressions: [{ key: 'runlevel', operator: 'NotIn', values: ['0', '1'] }] } }, request({ namespaceLabels: {} }), true],
    ['DoesNotExist rejects a namespace with the label', { namespaceSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] } }, request({ namespaceLabels: { skip: '' } }), false],
    ['a cluster-scoped request always matches, whatever the selector', { namespaceSelector: prod }, request({ resource: 'nodes', kind: 'Node', namespace: '', namespaced: false, namespaceLabels: undefined }), true],
    ['creating a Namespace is judged by the new namespace\'s labels', { namespaceSelector: prod }, namespaceRequest({ object: namespaceObject({ env: 'prod' }) }), true],
    ['updating a Namespace is judged by its new labels, not its old ones', { namespaceSelector: prod }, namespaceRequest({ operation: 'UPDATE', object: namespaceObject({ env: 'dev' }), oldObject: namespaceObject({ env: 'prod' }) }), false],
    ['deleting a Namespace is judged by the stored namespace\'s labels', { namespaceSelector: prod }, namespaceRequest({ operation: 'DELETE', object: undefined, oldObject: namespaceObject({ env: 'prod' }) }), true],
    ['a Namespace\'s status update is judged by the stored namespace, as upstream reads it from its cache', { namespaceSelector: prod }, namespaceRequest({ operation: 'UPDATE', subresource: 'status', object: namespaceObject({ env: 'prod' }), oldObject: namespaceObject({ env: 'dev' }) }), false],
    ['a Namespace\'s subresource update uses namespaceLabels when the caller gives them', { namespaceSelector: prod }, namespaceRequest({ operation: 'UPDATE', subresource: 'finalize', object: namespaceObject({}), oldObject: namespaceObject({}), namespaceLabels: { env: 'prod' } }), true],
  ];
  for (const [name, over, req, want] of cases) {
    test(name, () => assert.equal(webhookMatches(hook(over), req), want));
  }

  test('a namespaced request whose namespace is unknown fails with upstream\'s 404, once a rule matches', () => {
    const req = request({ namespace: 'ghost', namespaceLabels: undefined });
    assert.throws(() => webhookMatches(hook({ namespaceSelector: { matchLabels: { env: 'prod' } } }), req), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 404);
      assert.equal(err.message, 'namespaces "ghost" not found');
      return true;
    });
    assert.equal(webhookMatches(hook({ namespaceSelector: { matchLabels: { env: 'prod' } }, rules: [{ ...everyRule, resources: ['services'] }] }), req), false);
    assert.equal(webhookMatches(hook(), req), true, 'an empty selector needs no labels');
  });

  test('a selector that does not parse is a 500 with the parser\'s message', () => {
    const w = hook({ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Near', values: ['x'] }] } });
    assert.throws(() => webhookMatches(w, request()), (err: unknown) => {
      assert.ok(err instanceof StatusError);
      assert.equal(err.code, 500);
      assert.equal(err.reason, 'InternalError');
      assert.equal(err.message, 'Internal error occurred: "Near" is not a valid label selector operator');
      return true;
    });
  });
});

describe('webhook objectSelector', () => {
  const sel = { matchLabels: { app: 'web' } };
  const cases: [string, Partial<ValidatingWebhook>, WebhookRequest, boolean][] = [
    ['an absent selector selects every object', {}, request(), true],
    ['the new object\'s labels match', { objectSelector: sel }, request({ object: pod({ app: 'web' }) }), true],
    ['an object without the labels does not match', { objectSelector: sel }, request({ object: pod({ app: 'db' }) }), false],
    ['an update that removes the label still matches through the old object', { objectSelector: sel }, request({ operation: 'UPDATE', object: pod({}), oldObject: pod({ app: 'web' }) }), true],
    ['an update that adds the label matches through the new object', { objectSelector: sel }, request({ operation: 'UPDATE', object: pod({ app: 'web' }), oldObject: pod({}) }), true],
    ['a delete matches through the object being deleted', { objectSelector: sel }, request({ operation: 'DELETE', object: undefined, oldObject: pod({ app: 'web' }) }), true],
    ['an object without labels matches a DoesNotExist selector', { objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] } }, request({ object: pod() }), true],
  ];
  for (const [name, over, req, want] of cases) {
    test(name, () => assert.equal(webhookMatches(hook(over), req), want));
  }
});

describe('webhook matchConditions', () => {
  const withConditions = (exprs: string[], over: Partial<ValidatingWebhook> = {}) => hook({ matchConditions: exprs.map((expression, i) => ({ name: `c${i}`, expression })), ...over });
  const cases: [string, string[], WebhookRequest, { matched: boolean } | { error: string }][] = [
    ['no conditions match every request', [], request(), { matched: true }],
    ['conditions that are all true match', ['request.operation == "CREATE"', 'object.metadata.name == "web"'], request(), { matched: true }],
    ['one false condition skips the webhook', ['request.operation == "CREATE"', 'request.operation == "UPDATE"'], request(), { matched: false }],
    ['a false condition skips the webhook even when another failed to evaluate', ['object.spec.missing == 1', 'false'], request(), { matched: false }],
    ['request carries the user, the namespace and dryRun as upstream types them', ['request.userInfo.username == "alice" && "devs" in request.userInfo.groups && request.namespace == "team" && !request.dryRun'], request(), { matched: true }],
    ['request carries the kind and resource, and the options', ['request.kind.kind == "Pod" && request.resource.resource == "pods" && request.requestKind.version == "v1" && request.options.kind == "CreateOptions"'], request(), { matched: true }],
    ['an empty subResource is absent from request, as Go leaves it out', ['!has(request.subResource)'], request(), { matched: true }],
    ['oldObject is null on a create', ['oldObject == null'], request(), { matched: true }],
    ['object is null on a delete', ['object == null && oldObject.metadata.name == "web"'], request({ operation: 'DELETE', object: undefined, oldObject: pod() }), { matched: true }],
    ['whole numbers are CEL ints and others doubles', ['object.spec.replicas == 3 && object.spec.replicas > 2 && object.spec.ratio == 1.5'], request({ object: pod({}, { replicas: 3, ratio: 1.5 }) }), { matched: true }],
    ['a failing expression is an error under failurePolicy Fail, in upstream\'s words', ['object.spec.missing == 1'], request(), { error: "expression 'object.spec.missing == 1' resulted in error: no such key: missing" }],
    ['several failures are aggregated in brackets', ['object.spec.a == 1', 'object.spec.b == 1'], request(), { error: "[expression 'object.spec.a == 1' resulted in error: no such key: a, expression 'object.spec.b == 1' resulted in error: no such key: b]" }],
    ['an expression that is not a bool does not compile', ['object.metadata.name'], request(), { error: 'compilation error: must evaluate to bool' }],
    ['an undeclared variable does not compile (authorizer is not offered)', ['authorizer.group("").resource("pods").check("get").allowed()'], request(), { error: 'compilation error: compilation failed: Unknown variable: authorizer' }],
    ['a field request does not have does not compile', ['request.uid == ""'], request(), { error: 'compilation error: compilation failed: No such key: uid' }],
  ];
  for (const [name, exprs, req, want] of cases) {
    test(name, () => assert.deepEqual(evaluateMatchConditions(withConditions(exprs), req), want));
  }

  test('under failurePolicy Ignore a failure skips the webhook', () => {
    assert.deepEqual(evaluateMatchConditions(withConditions(['object.spec.missing == 1'], { failurePolicy: 'Ignore' }), request()), { matched: false });
  });

  test('the same expression gives the same answer when asked again (compiled once)', () => {
    const w = withConditions(['request.operation == "CREATE"']);
    assert.deepEqual(evaluateMatchConditions(w, request()), { matched: true });
    assert.deepEqual(evaluateMatchConditions(w, request({ operation: 'UPDATE', oldObject: pod() })), { matched: false });
  });

  test('a failure under failurePolicy Fail ends the request as upstream\'s 403 for the resource and name', () => {
    const err = matchConditionsFailure(request(), "expression 'x' resulted in error: boom");
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    assert.equal(err.message, `pods "web" is forbidden: expression 'x' resulted in error: boom`);
    assert.deepEqual(err.details, { name: 'web', group: undefined, kind: 'pods' });
    const generated = matchConditionsFailure(request({ group: 'apps', resource: 'deployments', name: '' }), 'boom');
    assert.equal(generated.message, 'deployments.apps is forbidden: boom');
  });
});
