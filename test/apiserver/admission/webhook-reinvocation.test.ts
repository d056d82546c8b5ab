// Which mutating webhooks the second run of the mutating phase calls again, as upstream's
// webhookReinvokeContext decides: an IfNeeded webhook after which the object changed — by a
// later webhook, or by a built-in plugin before the second run — and no other.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookReinvocation } from '../../../src/apiserver/admission/webhook/reinvocation.js';

const obj = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels } });

describe('webhook reinvocation', () => {
  test('an IfNeeded webhook is due once a later webhook changed the object', () => {
    const r = new WebhookReinvocation();
    r.invoked('c/a/0');
    assert.equal(r.shouldReinvoke('c/a/0'), false);
    r.changed();
    assert.equal(r.shouldReinvoke('c/a/0'), true);
  });

  test('a change before a webhook was called does not make it due', () => {
    const r = new WebhookReinvocation();
    r.changed();
    r.invoked('c/a/0');
    r.finished(obj({}));
    assert.equal(r.shouldReinvoke('c/a/0'), false);
  });

  test('a built-in plugin\'s change between the runs makes the webhooks called since the last change due', () => {
    const r = new WebhookReinvocation();
    const out = obj({ a: '1' });
    r.invoked('c/a/0');
    r.finished(out);
    out.metadata.labels.a = '2';
    assert.equal(r.changedSinceLastRun(out), true, 'the object is copied, not kept by reference');
    assert.equal(r.changedSinceLastRun(obj({ a: '1' })), false);
  });

  test('with no webhook waiting for a change, nothing between the runs counts as one', () => {
    const r = new WebhookReinvocation();
    r.invoked('c/a/0');
    r.changed();
    r.finished(obj({ a: '1' }));
    assert.equal(r.changedSinceLastRun(obj({ a: '2' })), false);
    assert.equal(r.shouldReinvoke('c/a/0'), true);
  });

  test('a change makes due only the webhooks called before it, once', () => {
    const r = new WebhookReinvocation();
    r.invoked('c/a/0');
    r.changed();
    r.invoked('c/b/0');
    assert.equal(r.shouldReinvoke('c/a/0'), true);
    assert.equal(r.shouldReinvoke('c/b/0'), false);
    r.changed();
    assert.equal(r.shouldReinvoke('c/b/0'), true);
  });
});
