// Mutating admission webhooks end to end, past a single patch: reinvocation (reinvocationPolicy
// IfNeeded, and the built-in plugins run again after a webhook's change), DELETE (the object being
// deleted as oldObject, the DeleteOptions, a patch refused) and CONNECT (exec and proxy options).
// A real HTTPS webhook server, the real API server, the real kubectl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import type { TestCluster } from '../helpers/cluster.js';
import { allowed, clusterWithWebhooks, denied, patched, webhookConfiguration, type Review, type WebhookServer } from '../helpers/webhook-server.js';

let c: TestCluster;
let hooks: WebhookServer;

/**
 * Each path is one webhook's behaviour:
 * /mark/K labels the object K=seen unless it has that label (a change on its first call only);
 * /count/K counts its calls in the annotation count-K (a change on every call);
 * /strip-tolerations removes a pod's tolerations; /exec-command replaces an exec's command;
 * /deny refuses; any other path (/observe) lets the request through unchanged, and /hang never answers.
 */
function answer(path: string, review: Review): object | undefined {
  const obj = review.request.object;
  const [, kind, key] = path.split('/');
  switch (kind) {
    case 'mark': {
      const labels = obj?.metadata?.labels;
      if (labels?.[key]) return allowed(review);
      return patched(review, labels ? [{ op: 'add', path: `/metadata/labels/${key}`, value: 'seen' }] : [{ op: 'add', path: '/metadata/labels', value: { [key]: 'seen' } }]);
    }
    case 'count': {
      const annotations = obj?.metadata?.annotations;
      const next = String(Number(annotations?.[`count-${key}`] ?? 0) + 1);
      return patched(review, annotations ? [{ op: 'add', path: `/metadata/annotations/count-${key}`, value: next }] : [{ op: 'add', path: '/metadata/annotations', value: { [`count-${key}`]: next } }]);
    }
    case 'strip-tolerations':
      return patched(review, obj?.spec?.tolerations ? [{ op: 'remove', path: '/spec/tolerations' }] : []);
    case 'exec-command':
      return patched(review, [{ op: 'replace', path: '/command', value: ['echo', 'patched'] }]);
    case 'deny':
      return denied(review, { code: 403, reason: 'Forbidden', message: `no ${review.request.operation} here` });
    default:
      return undefined;
  }
}

before(async () => {
  ({ c, hooks } = await clusterWithWebhooks(answer, ['hooked']));
});

after(async () => {
  hooks?.close();
  await c?.close();
});

const rules = (resources: string[], operations: string[]) => [{ operations, apiGroups: [''], apiVersions: ['v1'], resources, scope: 'Namespaced' }];

/** A webhook on config maps in the labelled namespace. */
const webhook = (name: string, path: string, extra: object = {}) => hooks.webhook(name, path, { rules: rules(['configmaps'], ['CREATE']), namespaceSelector: { matchLabels: { webhooks: 'enabled' } }, ...extra });

/** Runs `body` with the configuration in place, and removes it afterwards whatever happens. */
async function withConfiguration(kind: 'Mutating' | 'Validating', name: string, webhooks: object[], body: () => Promise<void>): Promise<void> {
  await c.kubectlOk(['apply', '-f', '-'], { stdin: webhookConfiguration(kind, name, webhooks) });
  try {
    await body();
  } finally {
    await c.kubectlOk(['delete', `${kind.toLowerCase()}webhookconfiguration`, name]);
  }
}

const createConfigMap = (name: string) => c.kubectlOk(['apply', '-f', '-'], { stdin: stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'hooked' }, data: { k: 'v' } }) });

const getJSON = async (kind: string, name: string) => JSON.parse(await c.kubectlOk(['get', kind, name, '-n', 'hooked', '-o', 'json']));

/** The reviews `path` received about the object `name`. */
const reviewsOf = (path: string, name: string) => hooks.calls.filter((x) => x.path === path && x.review.request.name === name).map((x) => x.review);

describe('reinvocationPolicy', () => {
  test('an IfNeeded webhook is called again after a later webhook changed the object, and sees that change; a second call that changes nothing ends it', async () => {
    await withConfiguration('Mutating', 'reinvoke', [webhook('a.example.com', '/mark/a', { reinvocationPolicy: 'IfNeeded' }), webhook('b.example.com', '/mark/b')], async () => {
      await createConfigMap('again');
      const a = reviewsOf('/mark/a', 'again');
      assert.equal(a.length, 2, 'A is called twice');
      assert.equal(a[0].request.object?.metadata?.labels?.b, undefined);
      assert.equal(a[1].request.object?.metadata?.labels?.b, 'seen', 'the second time A sees what B did');
      assert.equal(reviewsOf('/mark/b', 'again').length, 1, 'B (policy Never) is called once');
      assert.deepEqual((await getJSON('configmap', 'again')).metadata.labels, { a: 'seen', b: 'seen' });
    });
  });

  test('with reinvocationPolicy Never a webhook is called once, whatever changed after it', async () => {
    await withConfiguration('Mutating', 'reinvoke', [webhook('a.example.com', '/mark/a', { reinvocationPolicy: 'Never' }), webhook('b.example.com', '/mark/b')], async () => {
      await createConfigMap('never');
      assert.equal(reviewsOf('/mark/a', 'never').length, 1);
      assert.deepEqual((await getJSON('configmap', 'never')).metadata.labels, { a: 'seen', b: 'seen' });
    });
  });

  test('an IfNeeded webhook is not called again when nothing changed the object after it', async () => {
    await withConfiguration('Mutating', 'reinvoke', [webhook('b.example.com', '/mark/b'), webhook('observe.example.com', '/observe', { reinvocationPolicy: 'IfNeeded' })], async () => {
      await createConfigMap('last');
      assert.equal(reviewsOf('/observe', 'last').length, 1, 'B changed the object before it, not after');
      assert.equal(reviewsOf('/mark/b', 'last').length, 1);
    });
  });

  test('webhooks that change the object on every call are called twice each, never more', async () => {
    const counting = [webhook('a.example.com', '/count/a', { reinvocationPolicy: 'IfNeeded' }), webhook('b.example.com', '/count/b', { reinvocationPolicy: 'IfNeeded' })];
    await withConfiguration('Mutating', 'reinvoke', counting, async () => {
      await createConfigMap('twice');
      assert.equal(reviewsOf('/count/a', 'twice').length, 2);
      assert.equal(reviewsOf('/count/b', 'twice').length, 2);
      const annotations = (await getJSON('configmap', 'twice')).metadata.annotations;
      assert.equal(annotations['count-a'], '2');
      assert.equal(annotations['count-b'], '2');
    });
  });

  test('the built-in plugins run again after a webhook changed the object, and an IfNeeded webhook is called again after their change', async () => {
    // DefaultTolerationSeconds adds two tolerations to every pod; the webhook removes them.
    const pod = (name: string) => stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'hooked' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const strip = (policy: string) => [hooks.webhook('strip.example.com', '/strip-tolerations', { rules: rules(['pods'], ['CREATE']), namespaceSelector: { matchLabels: { webhooks: 'enabled' } }, reinvocationPolicy: policy })];
    await withConfiguration('Mutating', 'strip', strip('Never'), async () => {
      await c.kubectlOk(['apply', '-f', '-'], { stdin: pod('put-back') });
      assert.equal(reviewsOf('/strip-tolerations', 'put-back').length, 1);
      const tolerations = (await getJSON('pod', 'put-back')).spec.tolerations as { key: string }[];
      assert.deepEqual(tolerations.map((t) => t.key).sort(), ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'], 'DefaultTolerationSeconds, reinvoked, put them back');
    });
    await withConfiguration('Mutating', 'strip', strip('IfNeeded'), async () => {
      await c.kubectlOk(['apply', '-f', '-'], { stdin: pod('stripped') });
      const reviews = reviewsOf('/strip-tolerations', 'stripped');
      assert.equal(reviews.length, 2);
      assert.equal((reviews[1].request.object?.spec?.tolerations as unknown[]).length, 2, 'the second call sees the tolerations put back');
      assert.equal((await getJSON('pod', 'stripped')).spec.tolerations, undefined);
    });
  });
});

describe('DELETE', () => {
  const onDelete = (name: string, path: string, extra: object = {}) => webhook(name, path, { rules: rules(['configmaps'], ['DELETE']), ...extra });

  test('a mutating webhook is sent the object being deleted as oldObject, no object, and the DeleteOptions', async () => {
    await createConfigMap('doomed');
    await withConfiguration('Mutating', 'on-delete', [onDelete('observe.example.com', '/observe')], async () => {
      await c.kubectlOk(['delete', 'configmap', 'doomed', '-n', 'hooked', '--grace-period=7']);
      const [review] = reviewsOf('/observe', 'doomed');
      assert.equal(review.request.operation, 'DELETE');
      assert.equal(review.request.object, null);
      assert.deepEqual(review.request.oldObject?.data, { k: 'v' });
      assert.deepEqual(review.request.options, { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 7, propagationPolicy: 'Background' });
    });
    assert.notEqual((await c.kubectl(['get', 'configmap', 'doomed', '-n', 'hooked'])).code, 0, 'deleted');
  });

  test('a patch on a DELETE fails the request with upstream\'s error, even under failurePolicy Ignore', async () => {
    await createConfigMap('kept');
    for (const failurePolicy of ['Fail', 'Ignore']) {
      await withConfiguration('Mutating', 'on-delete', [onDelete('patcher.example.com', '/mark/a', { failurePolicy })], async () => {
        const r = await c.kubectl(['delete', 'configmap', 'kept', '-n', 'hooked']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /Internal error occurred: admission webhook "patcher.example.com" attempted to modify the object, which is not supported for this operation/);
      });
    }
    await getJSON('configmap', 'kept');
  });

  test('a webhook that does not answer fails a DELETE under failurePolicy Fail and not under Ignore', async () => {
    await createConfigMap('slow');
    await withConfiguration('Mutating', 'on-delete', [onDelete('hang.example.com', '/hang', { timeoutSeconds: 1 })], async () => {
      const r = await c.kubectl(['delete', 'configmap', 'slow', '-n', 'hooked']);
      assert.match(r.stderr, /Internal error occurred: failed calling webhook "hang.example.com"/);
    });
    await withConfiguration('Mutating', 'on-delete', [onDelete('hang.example.com', '/hang', { timeoutSeconds: 1, failurePolicy: 'Ignore' })], async () => {
      await c.kubectlOk(['delete', 'configmap', 'slow', '-n', 'hooked']);
    });
  });
});

describe('CONNECT', () => {
  const onConnect = (name: string, path: string, resources: string[]) => hooks.webhook(name, path, { rules: rules(resources, ['CONNECT']), namespaceSelector: { matchLabels: { webhooks: 'enabled' } } });

  before(async () => {
    await c.kubectlOk(['apply', '-f', '-'], { stdin: stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'target', namespace: 'hooked' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) });
  });

  test('an exec is admitted as CONNECT with its PodExecOptions, which a mutating webhook may change before validation sees them', async () => {
    await withConfiguration('Mutating', 'connect', [onConnect('command.example.com', '/exec-command', ['pods/exec'])], async () => {
      await withConfiguration('Validating', 'connect', [onConnect('deny.example.com', '/deny', ['pods/exec'])], async () => {
        const r = await c.kubectl(['exec', 'target', '-n', 'hooked', '--', 'ls', '/']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /admission webhook "deny.example.com" denied the request: no CONNECT here/);
        const [mutating] = reviewsOf('/exec-command', 'target');
        assert.equal(mutating.request.operation, 'CONNECT');
        assert.deepEqual(mutating.request.kind, { group: '', version: 'v1', kind: 'PodExecOptions' });
        assert.equal(mutating.request.subResource, 'exec');
        assert.deepEqual(mutating.request.object, { kind: 'PodExecOptions', apiVersion: 'v1', stdout: true, stderr: true, container: 'c', command: ['ls', '/'] });
        assert.equal(mutating.request.oldObject, null);
        assert.equal(mutating.request.options, null);
        const [validating] = reviewsOf('/deny', 'target');
        assert.deepEqual(validating.request.object?.command, ['echo', 'patched']);
      });
    });
  });

  test('a proxy request is admitted as CONNECT with the path after the subresource', async () => {
    await withConfiguration('Validating', 'connect', [onConnect('deny.example.com', '/deny', ['pods/proxy'])], async () => {
      const r = await c.request('GET', '/api/v1/namespaces/hooked/pods/target:8080/proxy/some/path?q=1');
      assert.equal(r.status, 403);
      assert.match(r.json<{ message: string }>().message, /admission webhook "deny.example.com" denied the request: no CONNECT here/);
      const [review] = reviewsOf('/deny', 'target:8080');
      assert.deepEqual(review.request.object, { kind: 'PodProxyOptions', apiVersion: 'v1', path: '/some/path' });
    });
  });
});
