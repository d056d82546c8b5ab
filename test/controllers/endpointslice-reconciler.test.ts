// Pure logic of the EndpointSlice reconciler: address families, churn (in-place updates, filling
// the snuggest slice, reusing a slice about to be deleted) and the placeholder slice.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { addressTypesForService, reconcile, type ReconcilePlan } from '../../src/controllers/endpointslice/reconciler.js';

const svc = (spec: Service['spec'] = {}): Service => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80 }], ...spec },
});
const node: Node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } };
const pod = (i: number, ips: string[] = [`10.0.${Math.floor(i / 250)}.${i % 250}`], ready = true): Pod => ({
  metadata: { name: `p${i}`, namespace: 'ns', uid: `u${i}`, labels: { app: 'web' } },
  spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
  status: { phase: 'Running', podIPs: ips.map((ip) => ({ ip })), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const pods = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => pod(from + k));

/** Applies a plan the way the API server would (names for new slices) to get the next state. */
function applyPlan(existing: EndpointSlice[], plan: ReconcilePlan): EndpointSlice[] {
  let n = existing.length;
  const gone = new Set(plan.delete.map((s) => s.metadata!.name));
  const updated = new Map(plan.update.map((s) => [s.metadata!.name!, s]));
  const next = existing.filter((s) => !gone.has(s.metadata!.name)).map((s) => updated.get(s.metadata!.name!) ?? s);
  for (const s of plan.create) next.push({ ...s, metadata: { ...s.metadata, name: `web-${n++}`, uid: `s${n}` } });
  return next;
}
const run = (service: Service, ps: Pod[], existing: EndpointSlice[]) => reconcile({ service, pods: ps, existing, getNode: (n) => (n === 'n1' ? node : undefined) });
const sizes = (slices: EndpointSlice[]) => slices.map((s) => s.endpoints?.length ?? 0).sort((a, b) => a - b);

describe('endpointslice reconciler', () => {
  const families: { name: string; spec: Service['spec']; want: string[] }[] = [
    { name: 'ipFamilies decide', spec: { ipFamilies: ['IPv6', 'IPv4'] }, want: ['IPv6', 'IPv4'] },
    { name: 'without ipFamilies the cluster IP decides', spec: { ipFamilies: undefined, clusterIP: 'fd00::10' }, want: ['IPv6'] },
    { name: 'a headless service without ipFamilies gets both', spec: { ipFamilies: undefined, clusterIP: 'None' }, want: ['IPv4', 'IPv6'] },
  ];
  for (const f of families) {
    test(`address types: ${f.name}`, () => assert.deepEqual(addressTypesForService(svc(f.spec)), f.want));
  }

  test('a dual-stack service gets one slice per family, each with that family\'s pod IPs', () => {
    const plan = run(svc({ ipFamilies: ['IPv4', 'IPv6'] }), [pod(1, ['10.0.0.1', 'fd00::1'])], []);
    const byType = new Map(plan.create.map((s) => [s.addressType, s.endpoints[0]?.addresses]));
    assert.deepEqual(byType.get('IPv4'), ['10.0.0.1']);
    assert.deepEqual(byType.get('IPv6'), ['fd00::1']);
  });

  test('250 endpoints make three slices; adding 30 fills the emptiest-needed slice instead of creating one', () => {
    let state = applyPlan([], run(svc(), pods(0, 250), []));
    assert.deepEqual(sizes(state), [50, 100, 100]);
    const plan = run(svc(), pods(0, 280), state);
    assert.equal(plan.create.length, 0);
    assert.equal(plan.update.length, 1);
    state = applyPlan(state, plan);
    assert.deepEqual(sizes(state), [80, 100, 100]);
    const again = run(svc(), pods(0, 280), state);
    assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0], 'a second pass is a no-op');
  });

  test('a readiness change updates only the slice holding that endpoint', () => {
    const state = applyPlan([], run(svc(), pods(0, 150), []));
    const changed = pods(0, 150);
    changed[120] = pod(120, undefined, false);
    const plan = run(svc(), changed, state);
    assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 1, 0]);
    assert.equal(plan.update[0].endpoints.find((e) => e.targetRef?.name === 'p120')?.conditions?.ready, false);
  });

  test('a changed port set reuses the old slice (an update) instead of a delete plus a create', () => {
    const state = applyPlan([], run(svc(), pods(0, 3), []));
    const plan = run(svc({ ports: [{ name: 'https', port: 443 }] }), pods(0, 3), state);
    assert.deepEqual([plan.create.length, plan.update.length, plan.delete.length], [0, 1, 0]);
    assert.equal(plan.update[0].metadata?.name, state[0].metadata?.name);
    assert.deepEqual(plan.update[0].ports, [{ name: 'https', protocol: 'TCP', port: 443 }]);
  });

  test('no pods means one placeholder slice, kept across syncs', () => {
    const state = applyPlan([], run(svc(), [], []));
    assert.equal(state.length, 1);
    assert.deepEqual(state[0].endpoints, []);
    const again = run(svc(), [], state);
    assert.deepEqual([again.create.length, again.update.length, again.delete.length], [0, 0, 0]);
  });

  test('a pod on an unknown node is skipped with an error unless not-ready addresses are published', () => {
    const lost: Pod = { ...pod(7), spec: { nodeName: 'gone', containers: [] } };
    const plan = run(svc(), [lost], []);
    assert.equal(plan.errors.length, 1);
    assert.match(plan.errors[0], /Node gone Not Found/);
    const published = run(svc({ publishNotReadyAddresses: true }), [lost], []);
    assert.equal(published.errors.length, 0);
    assert.equal(published.create[0].endpoints.length, 1);
  });

  test('slices whose labels drifted from the service are relabelled', () => {
    const state = applyPlan([], run(svc(), pods(0, 2), []));
    const plan = run({ ...svc(), metadata: { ...svc().metadata, labels: { team: 'b' } } }, pods(0, 2), state);
    assert.equal(plan.update.length, 1);
    assert.equal(plan.update[0].metadata?.labels?.team, 'b');
    assert.equal(plan.update[0].metadata?.labels?.['kubernetes.io/service-name'], 'web');
  });
});
