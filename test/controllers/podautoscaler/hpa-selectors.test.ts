// The HPA selector registry behind AmbiguousSelector (upstream's hpaSelectors BiMultimap as
// horizontal.go uses it): registered HPAs select nothing until given a selector, selectors only
// reach pods of their own namespace, updates of unregistered HPAs are dropped, deletion forgets.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseLabelSelector } from '../../../src/api/selectors/labels.js';
import { newHpaSelectors } from '../../../src/controllers/podautoscaler/hpa-selectors.js';

const pod = (namespace: string, name: string, labels: Record<string, string>): Pod => ({ metadata: { namespace, name, labels } });
const web = [pod('default', 'web-1', { app: 'web', tier: 'front' }), pod('default', 'web-2', { app: 'web', tier: 'front' })];

describe('HPA selectors', () => {
  it('a registered HPA selects nothing until its first sync gives it a selector', () => {
    const s = newHpaSelectors();
    s.register('default/a');
    assert.deepEqual(s.controlling(web), []);
    s.update('default/a', parseLabelSelector('app=web'));
    assert.deepEqual(s.controlling(web), ['default/a']);
  });

  it('every HPA selecting any of the pods, sorted, whichever selector picks them', () => {
    const s = newHpaSelectors();
    for (const k of ['default/zeta', 'default/alpha', 'default/other']) s.register(k);
    s.update('default/zeta', parseLabelSelector('app=web'));
    s.update('default/alpha', parseLabelSelector('tier in (front,back)'));
    s.update('default/other', parseLabelSelector('app=api'));
    assert.deepEqual(s.controlling(web), ['default/alpha', 'default/zeta']);
    assert.deepEqual(s.controlling([web[0]!]), ['default/alpha', 'default/zeta']);
    assert.deepEqual(s.controlling([]), []);
  });

  it('a selector reaches only pods in its HPA\'s namespace', () => {
    const s = newHpaSelectors();
    s.register('default/a');
    s.register('prod/b');
    s.update('default/a', parseLabelSelector('app=web'));
    s.update('prod/b', parseLabelSelector('app=web'));
    assert.deepEqual(s.controlling(web), ['default/a']);
    assert.deepEqual(s.controlling([pod('prod', 'web-1', { app: 'web' })]), ['prod/b']);
  });

  it('an update for an HPA not (or no longer) registered is dropped; deletion forgets the selector', () => {
    const s = newHpaSelectors();
    s.update('default/gone', parseLabelSelector('app=web'));
    assert.deepEqual(s.controlling(web), []);
    s.register('default/a');
    s.update('default/a', parseLabelSelector('app=web'));
    s.delete('default/a');
    s.update('default/a', parseLabelSelector('app=web'));
    assert.deepEqual(s.controlling(web), []);
  });

  it('registering again keeps the selector a sync gave', () => {
    const s = newHpaSelectors();
    s.register('default/a');
    s.update('default/a', parseLabelSelector('app=web'));
    s.register('default/a');
    assert.deepEqual(s.controlling(web), ['default/a']);
  });
});
