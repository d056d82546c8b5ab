// Pure parts of namespace deletion: the conditions written to a terminating namespace, which
// resources are emptied, and how long to wait for remaining content.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NamespaceStatus } from 'kubernetes-types/core/v1.js';
import { NamespaceConditionUpdater, deletableNamespacedResources, defaultRemainingContentDelayMs, gvrString } from '../../src/controllers/namespace/index.js';
import type { DiscoveredResource } from '../../src/client/rest/discovery.js';

const t0 = '2024-01-01T00:00:00Z';
const t1 = '2024-01-01T00:01:00Z';

const summary = (s: NamespaceStatus) => s.conditions!.map((c) => [c.type, c.status, c.reason, c.message]);

describe('namespace deletion conditions', () => {
  test('a pass without failures writes the five ok conditions with status False', () => {
    const status: NamespaceStatus = { phase: 'Terminating' };
    assert.equal(new NamespaceConditionUpdater(() => t0).update(status), true);
    assert.deepEqual(summary(status), [
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      ['NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'],
      ['NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
    ]);
    assert.ok(status.conditions!.every((c) => c.lastTransitionTime === t0));
  });

  test('remaining content and finalizers are listed sorted, with the core group printed as a trailing dot', () => {
    const u = new NamespaceConditionUpdater(() => t0);
    u.contentTotals({
      remainingByResource: new Map([
        ['widgets.example.com', 2],
        ['configmaps.', 1],
        ['secrets.', 0],
      ]),
      remainingByFinalizer: new Map([
        ['z.io/last', 1],
        ['example.com/x', 2],
      ]),
    });
    const status: NamespaceStatus = {};
    u.update(status);
    const byType = new Map(status.conditions!.map((c) => [c.type, c]));
    assert.deepEqual(
      [byType.get('NamespaceContentRemaining')!.reason, byType.get('NamespaceContentRemaining')!.message],
      ['SomeResourcesRemain', 'Some resources are remaining: configmaps. has 1 resource instances, widgets.example.com has 2 resource instances'],
    );
    assert.deepEqual(
      [byType.get('NamespaceFinalizersRemaining')!.reason, byType.get('NamespaceFinalizersRemaining')!.message],
      ['SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: example.com/x in 2 resource instances, z.io/last in 1 resource instances'],
    );
    assert.equal(byType.get('NamespaceContentRemaining')!.status, 'True');
  });

  test('content deletion errors become one ContentDeletionFailed condition with the sorted messages', () => {
    const u = new NamespaceConditionUpdater(() => t0);
    u.deleteContentFailed('zeta failed');
    u.deleteContentFailed('alpha failed');
    const status: NamespaceStatus = {};
    u.update(status);
    const c = status.conditions!.find((x) => x.type === 'NamespaceDeletionContentFailure')!;
    assert.deepEqual([c.status, c.reason, c.message], ['True', 'ContentDeletionFailed', 'Failed to delete all resource types, 2 remaining: alpha failed, zeta failed']);
  });

  test('discovery and group-version failures set their own conditions', () => {
    const u = new NamespaceConditionUpdater(() => t0);
    u.discoveryFailed('the server is currently unable to handle the request');
    u.groupVersionParsingFailed('unexpected GroupVersion string: a/b/c');
    const status: NamespaceStatus = {};
    u.update(status);
    const byType = new Map(status.conditions!.map((c) => [c.type, c]));
    assert.deepEqual([byType.get('NamespaceDeletionDiscoveryFailure')!.reason, byType.get('NamespaceDeletionDiscoveryFailure')!.status], ['DiscoveryFailed', 'True']);
    assert.deepEqual(
      [byType.get('NamespaceDeletionGroupVersionParsingFailure')!.reason, byType.get('NamespaceDeletionGroupVersionParsingFailure')!.message],
      ['GroupVersionParsingFailed', 'unexpected GroupVersion string: a/b/c'],
    );
  });

  test('a second identical pass changes nothing; a changed message keeps the transition time; a flipped status moves it', () => {
    const status: NamespaceStatus = {};
    const remaining = (n: number) => ({ remainingByResource: new Map([['configmaps.', n]]), remainingByFinalizer: new Map<string, number>() });
    const first = new NamespaceConditionUpdater(() => t0);
    first.contentTotals(remaining(2));
    first.update(status);

    const same = new NamespaceConditionUpdater(() => t1);
    same.contentTotals(remaining(2));
    assert.equal(same.update(status), false);

    const fewer = new NamespaceConditionUpdater(() => t1);
    fewer.contentTotals(remaining(1));
    assert.equal(fewer.update(status), true);
    const c = () => status.conditions!.find((x) => x.type === 'NamespaceContentRemaining')!;
    assert.deepEqual([c().message, c().lastTransitionTime], ['Some resources are remaining: configmaps. has 1 resource instances', t0]);

    assert.equal(new NamespaceConditionUpdater(() => t1).update(status), true);
    assert.deepEqual([c().status, c().reason, c().lastTransitionTime], ['False', 'ContentRemoved', t1]);
    assert.equal(status.conditions!.length, 5, 'conditions are updated in place, never duplicated');
  });
});

describe('deletable namespaced resources', () => {
  const r = (group: string, version: string, plural: string, verbs: string[], namespaced = true): DiscoveredResource => ({
    group,
    version,
    plural,
    kind: plural,
    namespaced,
    verbs,
    subresources: [],
  });
  const all = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

  test('only namespaced resources that can be deleted are emptied, each group-resource once in its first (preferred) version', () => {
    const found = deletableNamespacedResources([
      r('', 'v1', 'configmaps', all),
      r('', 'v1', 'namespaces', all, false),
      r('', 'v1', 'bindings', ['create']),
      r('autoscaling', 'v2', 'horizontalpodautoscalers', all),
      r('autoscaling', 'v1', 'horizontalpodautoscalers', all),
      r('example.com', 'v1', 'widgets', ['delete', 'get', 'list']),
    ]);
    assert.deepEqual(
      found.resources.map((x) => [gvrString(x), x.verbs.has('deletecollection')]),
      [
        ['/v1, Resource=configmaps', true],
        ['autoscaling/v2, Resource=horizontalpodautoscalers', true],
        ['example.com/v1, Resource=widgets', false],
      ],
    );
    assert.deepEqual(found.parseErrors, []);
  });

  test('a resource whose group/version does not parse is reported and skipped', () => {
    const found = deletableNamespacedResources([r('a', 'b/c', 'things', all)]);
    assert.deepEqual(found.resources, []);
    assert.deepEqual(found.parseErrors, ['unexpected GroupVersion string: a/b/c']);
  });
});

describe('requeue delay for remaining content', () => {
  for (const [estimate, ms] of [
    [0, 1000],
    [15, 8000],
    [30, 16000],
  ] as const) {
    test(`an estimate of ${estimate} s waits ${ms} ms (half, rounded down, plus one second)`, () => {
      assert.equal(defaultRemainingContentDelayMs(estimate), ms);
    });
  }
});
