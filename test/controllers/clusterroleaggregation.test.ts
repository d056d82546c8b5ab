// The ClusterRole aggregation controller against the real API server: an aggregated ClusterRole
// holds, in upstream's order and without duplicates, the rules of the ClusterRoles its selectors
// match, and follows them as they are added, changed and unlabelled. The writes are server-side
// applies by "clusterrole-aggregation-controller".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { startControllers, waitForObject, type ControllerRig } from '../helpers/controllers.js';
import {
  aggregatedRules,
  applyIntent,
  clusterRoleAggregationController,
  clusterRoleAggregationFieldManager,
  rulesEqual,
  type ClusterRole,
} from '../../src/controllers/clusterroleaggregation/index.js';
import { builtinControllers } from '../../src/controllers/registry.js';
import { resources } from '../../src/client/rest/builtin-resources.js';

const rule = (verbs: string[], resources: string[], apiGroups = ['']): PolicyRule => ({ verbs, apiGroups, resources });
const role = (name: string, labels: Record<string, string> | undefined, rules: PolicyRule[], aggregationRule?: ClusterRole['aggregationRule']): ClusterRole => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
  ...(aggregationRule ? { aggregationRule } : {}),
});

describe('aggregated rules (pure)', () => {
  const pods = rule(['get'], ['pods']);
  const svcs = rule(['list'], ['services']);
  const cms = rule(['watch'], ['configmaps']);

  test('for each selector in order, matching roles by name, rules appended once; itself excluded', () => {
    const agg = role('agg', { a: 'x' }, [rule(['*'], ['*'])], { clusterRoleSelectors: [{ matchLabels: { b: 'y' } }, { matchLabels: { a: 'x' } }] });
    const all = [agg, role('zeta', { a: 'x' }, [cms, pods]), role('beta', { b: 'y' }, [svcs]), role('alpha', { a: 'x', b: 'y' }, [pods])];
    // Selector b: alpha (pods), beta (svcs); selector a: alpha (pods, dup), zeta (cms, pods dup); agg skipped.
    assert.deepEqual(aggregatedRules(agg, all), [pods, svcs, cms]);
  });

  test('no aggregationRule: nothing to do; no selectors: no rules; an empty selector matches all others', () => {
    assert.equal(aggregatedRules(role('plain', undefined, [pods]), []), undefined);
    assert.deepEqual(aggregatedRules(role('agg', undefined, [pods], {}), [role('x', { a: 'b' }, [svcs])]), []);
    const agg = role('agg', undefined, [], { clusterRoleSelectors: [{}] });
    assert.deepEqual(aggregatedRules(agg, [agg, role('x', undefined, [svcs])]), [svcs]);
  });

  test('equality is semantic: a missing list equals an empty one, order matters', () => {
    assert.ok(rulesEqual([], undefined));
    assert.ok(rulesEqual([{ verbs: ['get'], resourceNames: [] }], [{ verbs: ['get'] }]));
    assert.ok(!rulesEqual([pods, svcs], [svcs, pods]));
    assert.ok(!rulesEqual([rule(['get', 'list'], ['pods'])], [rule(['list', 'get'], ['pods'])]));
  });

  test('the apply intent carries name and rules only, leaving out empty lists and an empty rule list', () => {
    assert.deepEqual(applyIntent('agg', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: [] }]), {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'agg' },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
    });
    assert.equal('rules' in applyIntent('agg', []), false);
  });

  test('the manager knows the controller as clusterrole-aggregation', () => {
    assert.ok(builtinControllers().some((c) => c.name === 'clusterrole-aggregation'));
  });
});

describe('ClusterRole aggregation controller', () => {
  let rig: ControllerRig;
  before(async () => {
    rig = await startControllers([clusterRoleAggregationController]);
  });
  after(async () => {
    await rig?.close();
  });

  const api = () => rig.client.resource(resources.clusterRoles);
  const rulesOf = (name: string, want: PolicyRule[], what: string) =>
    waitForObject(api(), undefined, name, (r) => !!r && rulesEqual(r.rules, want), what);

  const podsRead = rule(['get', 'list', 'watch'], ['pods']);
  const svcsRead = rule(['get', 'list'], ['services']);
  const deploysEdit = rule(['create', 'update'], ['deployments'], ['apps']);
  const secretsGet = rule(['get'], ['secrets']);

  test('an aggregated ClusterRole gets the rules of the labelled roles, written by server-side apply', async () => {
    await api().create(role('view-pods', { 'rbac.example.com/aggregate-to-viewer': 'true' }, [podsRead]));
    await api().create(role('view-services', { 'rbac.example.com/aggregate-to-viewer': 'true' }, [svcsRead]));
    await api().create(role('unrelated', { other: 'true' }, [secretsGet]));
    await api().create(role('viewer', undefined, [], { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-viewer': 'true' } }] }));
    const viewer = await rulesOf('viewer', [podsRead, svcsRead], 'viewer with the pods and services rules');
    const managers = viewer!.metadata?.managedFields ?? [];
    const ours = managers.find((m) => m.manager === clusterRoleAggregationFieldManager);
    assert.equal(ours?.operation, 'Apply');
    assert.ok(ours?.fieldsV1 && JSON.stringify(ours.fieldsV1).includes('f:rules'));
    // The labelled roles are left as they were.
    assert.deepEqual((await api().get('view-pods')).rules, [podsRead]);
  });

  test('rules written directly into an aggregated role are stomped', async () => {
    const viewer = await api().get('viewer');
    await api().update({ ...viewer, rules: [secretsGet] });
    await rulesOf('viewer', [podsRead, svcsRead], 'viewer back to the aggregated rules');
  });

  test('a new labelled role adds its rules (sorted by name within the selector)', async () => {
    await api().create(role('view-configmaps', { 'rbac.example.com/aggregate-to-viewer': 'true' }, [rule(['get'], ['configmaps'])]));
    // view-configmaps < view-pods < view-services.
    await rulesOf('viewer', [rule(['get'], ['configmaps']), podsRead, svcsRead], 'viewer with the configmaps rule first');
  });

  test("changing a labelled role's rules updates the aggregate", async () => {
    const cms = await api().get('view-configmaps');
    await api().update({ ...cms, rules: [rule(['get', 'list'], ['configmaps']), rule(['get'], ['endpoints'])] });
    await rulesOf('viewer', [rule(['get', 'list'], ['configmaps']), rule(['get'], ['endpoints']), podsRead, svcsRead], 'viewer with the changed configmaps rules');
  });

  test('removing the label, or deleting the role, removes its rules; with none left the rules are emptied', async () => {
    const cms = await api().get('view-configmaps');
    await api().update({ ...cms, metadata: { ...cms.metadata, labels: {} } });
    await rulesOf('viewer', [podsRead, svcsRead], 'viewer without the configmaps rules');
    await api().delete('view-services');
    await rulesOf('viewer', [podsRead], 'viewer without the services rule');
    const pods = await api().get('view-pods');
    await api().update({ ...pods, metadata: { ...pods.metadata, labels: { 'rbac.example.com/aggregate-to-viewer': 'false' } } });
    const empty = await rulesOf('viewer', [], 'viewer with no rules');
    assert.deepEqual(empty!.rules ?? [], []);
    assert.deepEqual(empty!.aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-viewer': 'true' } }] });
  });

  test('a selector with matchExpressions', async () => {
    await api().create(role('tier-gold', { tier: 'gold' }, [rule(['get'], ['nodes'])]));
    await api().create(role('tier-silver', { tier: 'silver' }, [rule(['list'], ['nodes'])]));
    await api().create(role('tier-bronze', { tier: 'bronze' }, [rule(['watch'], ['nodes'])]));
    await api().create(role('tierless', undefined, [rule(['delete'], ['nodes'])]));
    await api().create(role('premium', undefined, [], { clusterRoleSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold', 'silver'] }] }] }));
    await api().create(role('not-bronze', undefined, [], { clusterRoleSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'tier', operator: 'NotIn', values: ['bronze'] }] }] }));
    await rulesOf('premium', [rule(['get'], ['nodes']), rule(['list'], ['nodes'])], 'premium with gold and silver');
    await rulesOf('not-bronze', [rule(['get'], ['nodes']), rule(['list'], ['nodes'])], 'not-bronze with gold and silver');
  });

  test('two selectors: rules in selector order, then name order, with no duplicates', async () => {
    const shared = rule(['get'], ['leases'], ['coordination.k8s.io']);
    await api().create(role('b-first', { set: 'one' }, [deploysEdit, shared]));
    await api().create(role('a-second', { set: 'two' }, [shared, secretsGet]));
    await api().create(role('c-both', { set: 'one', also: 'two' }, [secretsGet, deploysEdit, shared]));
    const selectors: LabelSelector[] = [{ matchLabels: { set: 'one' } }, { matchExpressions: [{ key: 'set', operator: 'In', values: ['two'] }] }, { matchLabels: { also: 'two' } }];
    await api().create(role('combined', undefined, [], { clusterRoleSelectors: selectors }));
    // Selector 1: b-first (deploys, shared), c-both (secrets, deploys dup, shared dup);
    // selector 2: a-second (shared dup, secrets dup); selector 3: c-both again (all dups).
    const combined = await rulesOf('combined', [deploysEdit, shared, secretsGet], 'combined with the union');
    assert.equal(combined!.rules!.length, 3);
  });

  test('aggregation chains: an aggregated role selected by another passes its aggregated rules on', async () => {
    await api().create(role('inner', { chain: 'outer' }, [], { clusterRoleSelectors: [{ matchLabels: { chain: 'inner' } }] }));
    await api().create(role('outer', undefined, [], { clusterRoleSelectors: [{ matchLabels: { chain: 'outer' } }] }));
    await api().create(role('leaf', { chain: 'inner' }, [rule(['get'], ['persistentvolumes'])]));
    await rulesOf('inner', [rule(['get'], ['persistentvolumes'])], 'inner with the leaf rule');
    await rulesOf('outer', [rule(['get'], ['persistentvolumes'])], 'outer with the leaf rule via inner');
  });

  test('a role selecting itself does not aggregate its own rules', async () => {
    await api().create(role('selfish', { me: 'yes' }, [rule(['get'], ['events'])], { clusterRoleSelectors: [{ matchLabels: { me: 'yes' } }] }));
    await api().create(role('friend', { me: 'yes' }, [rule(['list'], ['events'])]));
    await rulesOf('selfish', [rule(['list'], ['events'])], 'selfish with only the friend rule');
  });
});
