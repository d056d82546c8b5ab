// ValidatingAdmissionPolicy end to end with the real kubectl: policies and bindings written with
// kubectl apply, then objects that they refuse, warn about or let through, with upstream's
// messages, status codes and kubectl's rendering of them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;

before(async () => {
  c = await startTestCluster();
  for (const ns of ['guarded', 'free']) await c.kubectlOk(['create', 'namespace', ns]);
  await c.kubectlOk(['label', 'namespace', 'guarded', 'env=test']);
});

after(async () => {
  await c?.close();
});

const apply = (...objects: object[]) => c.kubectlOk(['apply', '-f', '-'], { stdin: objects.map((o) => stringify(o)).join('---\n') });
const remove = (kind: string, ...names: string[]) => c.kubectlOk(['delete', kind, ...names]);

const onDeployments = [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }];
const onConfigMaps = (operations: string[]) => [{ apiGroups: [''], apiVersions: ['v1'], operations, resources: ['configmaps'] }];

function policy(name: string, spec: object): object {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name }, spec };
}

function binding(name: string, policyName: string, spec: object = {}): object {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name }, spec: { policyName, validationActions: ['Deny'], ...spec } };
}

const deployment = (ns: string, name: string, replicas: number) => ['create', 'deployment', name, '-n', ns, '--image=registry.k8s.io/pause:3.10', `--replicas=${replicas}`];
const configMap = (ns: string, name: string, data: Record<string, string>, labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, data });

describe('ValidatingAdmissionPolicy', () => {
  test('the documented example: replicas limited where the binding selects, refused as 422 with upstream\'s message', async () => {
    await apply(
      policy('demo-policy.example.com', { failurePolicy: 'Fail', matchConstraints: { resourceRules: onDeployments }, validations: [{ expression: 'object.spec.replicas <= 5' }] }),
      binding('demo-binding-test.example.com', 'demo-policy.example.com', { matchResources: { namespaceSelector: { matchLabels: { env: 'test' } } } }),
    );
    const stored = JSON.parse(await c.kubectlOk(['get', 'validatingadmissionpolicy', 'demo-policy.example.com', '-o', 'json']));
    assert.equal(stored.spec.matchConstraints.matchPolicy, 'Equivalent');
    const refused = await c.kubectl(deployment('guarded', 'big', 6));
    assert.notEqual(refused.code, 0);
    assert.equal(
      refused.stderr.trim(),
      'error: failed to create deployment: deployments.apps "big" is forbidden: ValidatingAdmissionPolicy \'demo-policy.example.com\' with binding \'demo-binding-test.example.com\' denied request: failed expression: object.spec.replicas <= 5',
    );
    // The Status itself: reason Invalid, code 422, the message once more as a cause.
    const res = await c.request('POST', '/apis/apps/v1/namespaces/guarded/deployments', {
      body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'big' }, spec: { replicas: 7, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 422);
    const status = res.json();
    assert.equal(status.reason, 'Invalid');
    assert.deepEqual(status.details, {
      name: 'big',
      group: 'apps',
      kind: 'deployments',
      causes: [{ message: "ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5" }],
    });
    await c.kubectlOk(deployment('guarded', 'small', 5));
    // Not selected by the binding: anything goes.
    await c.kubectlOk(deployment('free', 'big', 6));
    // Updates are checked too; deployments/scale is another resource, which the rule does not name (as upstream).
    const patched = await c.kubectl(['patch', 'deployment', 'small', '-n', 'guarded', '-p', '{"spec":{"replicas":9}}']);
    assert.notEqual(patched.code, 0);
    assert.match(patched.stderr, /denied request: failed expression: object\.spec\.replicas <= 5/);
    await c.kubectlOk(['scale', 'deployment', 'small', '-n', 'guarded', '--replicas=9']);
    await remove('validatingadmissionpolicybinding', 'demo-binding-test.example.com');
    await c.kubectlOk(deployment('guarded', 'big', 6));
    await remove('validatingadmissionpolicy', 'demo-policy.example.com');
  });

  test('message, messageExpression and reason; Warn actions reach kubectl as warnings', async () => {
    await apply(
      policy('named', {
        matchConstraints: { resourceRules: onConfigMaps(['CREATE']) },
        validations: [
          { expression: "!has(object.data) || !('password' in object.data)", message: 'no passwords in config maps', reason: 'Forbidden' },
          { expression: "object.metadata.name.startsWith('cm-')", messageExpression: "'name ' + object.metadata.name + ' lacks the cm- prefix'" },
        ],
      }),
      binding('named-deny', 'named', { matchResources: { namespaceSelector: { matchLabels: { env: 'test' } } } }),
      binding('named-warn', 'named', { validationActions: ['Warn'], matchResources: { namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] } } }),
    );
    const forbidden = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(configMap('guarded', 'cm-secret', { password: 'x' })) });
    assert.notEqual(forbidden.code, 0);
    assert.match(forbidden.stderr, /Error from server \(Forbidden\).*configmaps "cm-secret" is forbidden: ValidatingAdmissionPolicy 'named' with binding 'named-deny' denied request: no passwords in config maps/);
    const unprefixed = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(configMap('guarded', 'plain', { k: 'v' })) });
    assert.match(unprefixed.stderr, /denied request: name plain lacks the cm- prefix/);
    // In an unlabelled namespace the Warn binding applies: created, with both failures as warnings.
    const warned = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(configMap('free', 'plain', { password: 'x' })) });
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'named' with binding 'named-warn': no passwords in config maps/);
    assert.match(warned.stderr, /Warning: Validation failed for ValidatingAdmissionPolicy 'named' with binding 'named-warn': name plain lacks the cm- prefix/);
    await remove('validatingadmissionpolicybinding', 'named-deny', 'named-warn');
    await remove('validatingadmissionpolicy', 'named');
  });

  test('params: a ConfigMap by name, a missing one under Deny and Allow, several by selector', async () => {
    await apply(
      configMap('guarded', 'limits', { maxReplicas: '3' }),
      policy('param-limit', {
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        matchConstraints: { resourceRules: onDeployments },
        validations: [{ expression: 'object.spec.replicas <= int(params.data.maxReplicas)', messageExpression: "'at most ' + params.data.maxReplicas + ' replicas (' + params.metadata.name + ')'" }],
      }),
      binding('param-limit-guarded', 'param-limit', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' }, matchResources: { namespaceSelector: { matchLabels: { env: 'test' } } } }),
    );
    const refused = await c.kubectl(deployment('guarded', 'four', 4));
    assert.match(refused.stderr, /with binding 'param-limit-guarded' denied request: at most 3 replicas \(limits\)/);
    // A change of the param applies to the next request.
    await apply(configMap('guarded', 'limits', { maxReplicas: '4' }));
    await c.kubectlOk(deployment('guarded', 'four', 4));
    // The param is looked up in the request's namespace: "free" has none.
    await apply(binding('param-limit-guarded', 'param-limit', { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } }));
    const missing = await c.kubectl(deployment('free', 'one', 1));
    assert.match(missing.stderr, /ValidatingAdmissionPolicy 'param-limit' with binding 'param-limit-guarded' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction/);
    await apply(binding('param-limit-guarded', 'param-limit', { paramRef: { name: 'limits', parameterNotFoundAction: 'Allow' } }));
    await c.kubectlOk(deployment('free', 'one', 1));
    // By selector, in a fixed namespace: every selected param must pass.
    await apply(
      configMap('guarded', 'tier-a', { maxReplicas: '10' }, { limits: 'tiers' }),
      configMap('guarded', 'tier-b', { maxReplicas: '2' }, { limits: 'tiers' }),
      binding('param-limit-guarded', 'param-limit', { paramRef: { namespace: 'guarded', selector: { matchLabels: { limits: 'tiers' } }, parameterNotFoundAction: 'Deny' } }),
    );
    const tiers = await c.kubectl(deployment('free', 'three', 3));
    assert.match(tiers.stderr, /denied request: at most 2 replicas \(tier-b\)/);
    await c.kubectlOk(deployment('free', 'two', 2));
    await remove('validatingadmissionpolicybinding', 'param-limit-guarded');
    await remove('validatingadmissionpolicy', 'param-limit');
  });

  test('a paramKind the server does not serve is a configuration error of the policy', async () => {
    await apply(
      policy('unknown-param', { paramKind: { apiVersion: 'example.com/v1', kind: 'Missing' }, matchConstraints: { resourceRules: onConfigMaps(['CREATE']) }, validations: [{ expression: 'true' }] }),
      binding('unknown-param', 'unknown-param', { paramRef: { name: 'x', parameterNotFoundAction: 'Allow' } }),
    );
    const refused = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(configMap('free', 'any', {})) });
    assert.match(refused.stderr, /ValidatingAdmissionPolicy 'unknown-param' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com\/v1, Kind=Missing'/);
    // failurePolicy Ignore lets the request through.
    await apply(policy('unknown-param', { failurePolicy: 'Ignore', paramKind: { apiVersion: 'example.com/v1', kind: 'Missing' }, matchConstraints: { resourceRules: onConfigMaps(['CREATE']) }, validations: [{ expression: 'true' }] }));
    await c.kubectlOk(['apply', '-f', '-'], { stdin: stringify(configMap('free', 'any', {})) });
    await remove('validatingadmissionpolicybinding', 'unknown-param');
    await remove('validatingadmissionpolicy', 'unknown-param');
  });

  test('variables, matchConditions, namespaceObject and evaluation errors under Fail and Ignore', async () => {
    await apply(
      policy('composed', {
        matchConstraints: { resourceRules: onConfigMaps(['CREATE', 'UPDATE']) },
        matchConditions: [{ name: 'not-exempt', expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)" }],
        variables: [
          { name: 'env', expression: "has(namespaceObject.metadata.labels) && 'env' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels.env : 'none'" },
          { name: 'isTest', expression: "variables.env == 'test'" },
        ],
        validations: [{ expression: '!variables.isTest || has(object.data.owner)', messageExpression: "'an owner is required in ' + variables.env + ' namespaces'" }],
      }),
      binding('composed', 'composed'),
    );
    const refused = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(configMap('guarded', 'ownerless', { k: 'v' })) });
    assert.match(refused.stderr, /denied request: an owner is required in test namespaces/);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: stringify(configMap('guarded', 'owned', { owner: 'me' })) });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: stringify(configMap('guarded', 'exempted', { k: 'v' }, { exempt: 'x' })) });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: stringify(configMap('free', 'ownerless', { k: 'v' })) });

    // An expression that fails to evaluate denies under Fail and is ignored under Ignore.
    const failing = (failurePolicy: string) =>
      policy('failing', { failurePolicy, matchConstraints: { resourceRules: onConfigMaps(['CREATE']) }, validations: [{ expression: 'object.data.missing == "x"' }] });
    await apply(failing('Fail'), binding('failing', 'failing', { matchResources: { namespaceSelector: { matchLabels: { env: 'test' } } } }));
    const erred = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(configMap('guarded', 'cm-err', { owner: 'me' })) });
    assert.match(erred.stderr, /ValidatingAdmissionPolicy 'failing' with binding 'failing' denied request: expression 'object\.data\.missing == "x"' resulted in error: no such key: missing/);
    await apply(failing('Ignore'));
    await c.kubectlOk(['apply', '-f', '-'], { stdin: stringify(configMap('guarded', 'cm-err', { owner: 'me' })) });
    await remove('validatingadmissionpolicybinding', 'composed', 'failing');
    await remove('validatingadmissionpolicy', 'composed', 'failing');
  });

  test('DELETE sees the object being deleted as oldObject; resourceNames narrow a rule; the policies themselves are exempt', async () => {
    await apply(
      configMap('free', 'keep', { k: 'v' }, { protected: 'true' }),
      configMap('free', 'drop', { k: 'v' }),
      policy('protect', {
        matchConstraints: { resourceRules: onConfigMaps(['DELETE']) },
        validations: [{ expression: "object == null && !(has(oldObject.metadata.labels) && oldObject.metadata.labels['protected'] == 'true')", message: 'this config map is protected' }],
      }),
      binding('protect', 'protect'),
      // A policy that refuses everything about one named config map, and would refuse policies if they were not exempt.
      policy('lock', { matchConstraints: { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'], resourceNames: ['locked'] }] }, validations: [{ expression: 'false', message: 'locked' }] }),
      binding('lock', 'lock'),
    );
    const kept = await c.kubectl(['delete', 'configmap', 'keep', '-n', 'free']);
    // kubectl words a 422 refusal of a delete as "is invalid", from the Status's reason.
    assert.equal(kept.stderr.trim(), 'The configmaps "keep" is invalid: : ValidatingAdmissionPolicy \'protect\' with binding \'protect\' denied request: this config map is protected');
    await c.kubectlOk(['delete', 'configmap', 'drop', '-n', 'free']);
    const locked = await c.kubectl(['apply', '-f', '-'], { stdin: stringify(configMap('free', 'locked', {})) });
    assert.match(locked.stderr, /denied request: locked/);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: stringify(configMap('free', 'unlocked', {})) });
    // The lock matches every resource named "locked", but not policies and bindings.
    await apply(policy('locked', { matchConstraints: { resourceRules: onConfigMaps(['CREATE']) }, validations: [{ expression: 'true' }] }));
    await remove('validatingadmissionpolicy', 'locked');
    await remove('validatingadmissionpolicybinding', 'protect', 'lock');
    await remove('validatingadmissionpolicy', 'protect', 'lock');
    await c.kubectlOk(['delete', 'configmap', 'keep', '-n', 'free']);
  });

  test('matchPolicy Equivalent: a policy on autoscaling/v1 HorizontalPodAutoscalers sees an autoscaling/v2 write converted to v1; Exact does not apply', async () => {
    const onV1 = [{ apiGroups: ['autoscaling'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['horizontalpodautoscalers'] }];
    // targetCPUUtilizationPercentage exists only in v1: the v2 object's cpu metric converted.
    const check = {
      expression: 'object.spec.maxReplicas <= 5',
      messageExpression: "request.kind.version + ' ' + request.requestKind.version + ' ' + request.resource.version + ' ' + request.requestResource.version + ' ' + object.apiVersion + ' cpu ' + string(object.spec.targetCPUUtilizationPercentage)",
    };
    await apply(
      policy('hpa-equivalent', { matchConstraints: { resourceRules: onV1, objectSelector: { matchLabels: { policy: 'equivalent' } } }, validations: [check] }),
      binding('hpa-equivalent', 'hpa-equivalent'),
      policy('hpa-exact', { matchConstraints: { matchPolicy: 'Exact', resourceRules: onV1, objectSelector: { matchLabels: { policy: 'exact' } } }, validations: [check] }),
      binding('hpa-exact', 'hpa-exact'),
    );
    const hpa = (name: string, label: string) =>
      JSON.stringify({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name, labels: { policy: label } },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] },
      });
    const create = (name: string, label: string) =>
      c.request('POST', '/apis/autoscaling/v2/namespaces/free/horizontalpodautoscalers', { body: hpa(name, label), headers: { 'content-type': 'application/json' } });
    const refused = await create('eq', 'equivalent');
    assert.equal(refused.status, 422);
    assert.equal(refused.json().message, 'horizontalpodautoscalers.autoscaling "eq" is forbidden: ValidatingAdmissionPolicy \'hpa-equivalent\' with binding \'hpa-equivalent\' denied request: v1 v2 v1 v2 autoscaling/v1 cpu 60');
    assert.equal((await create('exact', 'exact')).status, 201);
    await remove('validatingadmissionpolicybinding', 'hpa-equivalent', 'hpa-exact');
    await remove('validatingadmissionpolicy', 'hpa-equivalent', 'hpa-exact');
    await c.kubectlOk(['delete', 'horizontalpodautoscalers.v2.autoscaling', 'exact', '-n', 'free']);
  });
});
