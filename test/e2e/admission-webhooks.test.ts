// Admission webhooks end to end: a real HTTPS webhook server (certificates from our own PKI code)
// registered through Mutating/ValidatingWebhookConfigurations with kubectl, and the real kubectl
// writing objects that the webhooks patch, deny, or let through — by URL and through a Service.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import type { TestCluster } from '../helpers/cluster.js';
import { clusterWithWebhooks, denied, patched, webhookConfiguration as configuration, type Review, type WebhookServer } from '../helpers/webhook-server.js';

let c: TestCluster;
let hooks: WebhookServer;
let port: number;
let caBundle: string;
const seen: Review[] = [];

/** The webhook server: each path is one webhook's behaviour (any other lets the request through). */
function answer(path: string, review: Review): object | undefined {
  seen.push(review);
  switch (path) {
    case '/label': {
      const labels = review.request.object?.metadata?.labels;
      const patch = labels ? [{ op: 'add', path: '/metadata/labels/mutated-by', value: 'webhook' }] : [{ op: 'add', path: '/metadata/labels', value: { 'mutated-by': 'webhook' } }];
      return patched(review, patch, { warnings: ['labelled by the test webhook'] });
    }
    case '/deny': {
      const data = review.request.object?.data ?? review.request.oldObject?.data ?? {};
      if ('forbidden' in data) return denied(review, { code: 422, reason: 'Invalid', message: 'the data key "forbidden" is not allowed' });
      return undefined;
    }
    default:
      return undefined;
  }
}

before(async () => {
  ({ c, hooks } = await clusterWithWebhooks(answer, ['hooked', 'plain', 'webhooks']));
  ({ port, caBundle } = hooks);
});

after(async () => {
  hooks?.close();
  await c?.close();
});

const onConfigMaps = (operations: string[]) => [{ operations, apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: 'Namespaced' }];
const hooked = { matchLabels: { webhooks: 'enabled' } };

const webhook = (name: string, path: string, extra: object = {}) => hooks.webhook(name, path, { rules: onConfigMaps(['CREATE', 'UPDATE']), namespaceSelector: hooked, ...extra });

const configMap = (ns: string, name: string, data: object, labels?: object) => stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) }, data });

describe('admission webhooks', () => {
  test('a mutating webhook patches what it matches, gets upstream\'s AdmissionReview, and its warning reaches kubectl', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Mutating', 'label', [webhook('label.example.com', '/label')]) });
    const created = await c.kubectl(['apply', '-f', '-'], { stdin: configMap('hooked', 'one', { k: 'v' }) });
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /Warning: labelled by the test webhook/);
    const cm = JSON.parse(await c.kubectlOk(['get', 'configmap', 'one', '-n', 'hooked', '-o', 'json']));
    assert.equal(cm.metadata.labels['mutated-by'], 'webhook');
    const review = seen.find((r) => r.request.name === 'one' && r.request.operation === 'CREATE')!;
    assert.equal(review.apiVersion, 'admission.k8s.io/v1');
    assert.deepEqual(review.request.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
    assert.deepEqual(review.request.resource, { group: '', version: 'v1', resource: 'configmaps' });
    assert.equal(review.request.namespace, 'hooked');
    assert.equal(review.request.dryRun, false);
    assert.equal(review.request.options?.kind, 'CreateOptions');
    assert.ok(review.request.userInfo.username);
    // Namespaces without the label are not sent to the webhook.
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configMap('plain', 'one', { k: 'v' }) });
    const plain = JSON.parse(await c.kubectlOk(['get', 'configmap', 'one', '-n', 'plain', '-o', 'json']));
    assert.equal(plain.metadata.labels, undefined);
    await c.kubectlOk(['delete', 'mutatingwebhookconfiguration', 'label']);
  });

  test('a validating webhook denies with its own message and code, on create, update and delete', async () => {
    const deny = webhook('deny.example.com', '/deny', { rules: onConfigMaps(['CREATE', 'UPDATE', 'DELETE']) });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'deny', [deny]) });
    const refused = await c.kubectl(['apply', '-f', '-'], { stdin: configMap('hooked', 'bad', { forbidden: 'x' }) });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /admission webhook "deny.example.com" denied the request: the data key "forbidden" is not allowed/);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configMap('hooked', 'good', { k: 'v' }) });
    const update = await c.kubectl(['patch', 'configmap', 'good', '-n', 'hooked', '--type=merge', '-p', '{"data":{"forbidden":"y"}}']);
    assert.match(update.stderr, /denied the request/);
    const review = seen.filter((r) => r.request.name === 'good' && r.request.operation === 'UPDATE').at(-1)!;
    assert.deepEqual(review.request.oldObject?.data, { k: 'v' }, 'an update carries the old object');
    await c.kubectlOk(['delete', 'validatingwebhookconfiguration', 'deny']);
  });

  test('matchConditions and objectSelector narrow what a webhook sees', async () => {
    const deny = webhook('deny.example.com', '/deny', {
      objectSelector: { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
      matchConditions: [{ name: 'not-exempt', expression: 'object.metadata.name != "exempt"' }],
    });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'deny', [deny]) });
    assert.notEqual((await c.kubectl(['apply', '-f', '-'], { stdin: configMap('hooked', 'caught', { forbidden: 'x' }) })).code, 0);
    assert.equal((await c.kubectl(['apply', '-f', '-'], { stdin: configMap('hooked', 'exempt', { forbidden: 'x' }) })).code, 0, 'matchConditions false: not called');
    assert.equal((await c.kubectl(['apply', '-f', '-'], { stdin: configMap('hooked', 'labelled', { forbidden: 'x' }, { skip: 'please' }) })).code, 0, 'objectSelector: not called');
    await c.kubectlOk(['delete', 'validatingwebhookconfiguration', 'deny']);
  });

  test('a webhook that does not answer fails the request unless its failurePolicy is Ignore; dry run needs side effects None', async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'hang', [webhook('hang.example.com', '/hang', { timeoutSeconds: 1 })]) });
    const failed = await c.kubectl(['apply', '-f', '-'], { stdin: configMap('hooked', 'slow', { k: 'v' }) });
    assert.match(failed.stderr, /Internal error occurred: failed calling webhook "hang.example.com"/);
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'hang', [webhook('hang.example.com', '/hang', { timeoutSeconds: 1, failurePolicy: 'Ignore' })]) });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configMap('hooked', 'slow', { k: 'v' }) });
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'hang', [webhook('effects.example.com', '/allow', { sideEffects: 'Some' })]) });
    const dry = await c.kubectl(['create', 'configmap', 'dry', '-n', 'hooked', '--dry-run=server']);
    assert.match(dry.stderr, /admission webhook "effects.example.com" does not support dry run/);
    await c.kubectlOk(['delete', 'validatingwebhookconfiguration', 'hang']);
  });

  test('a webhook behind a Service is reached through its ready endpoint and verified by the service\'s DNS name', async () => {
    await c.kubectlOk(['apply', '-f', '-'], {
      stdin: [
        stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hooks', namespace: 'webhooks' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } }),
        stringify({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: 'hooks-1', namespace: 'webhooks', labels: { 'kubernetes.io/service-name': 'hooks' } },
          addressType: 'IPv4',
          ports: [{ name: 'https', port }],
          endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
        }),
      ].join('---\n'),
    });
    const viaService = { ...webhook('deny.example.com', '/deny'), clientConfig: { service: { namespace: 'webhooks', name: 'hooks', path: '/deny' }, caBundle } };
    await c.kubectlOk(['apply', '-f', '-'], { stdin: configuration('Validating', 'deny', [viaService]) });
    const refused = await c.kubectl(['apply', '-f', '-'], { stdin: configMap('hooked', 'svc', { forbidden: 'x' }) });
    assert.match(refused.stderr, /admission webhook "deny.example.com" denied the request/);
    await c.kubectlOk(['delete', 'validatingwebhookconfiguration', 'deny']);
  });
});
