// The scheduler cache: assume/confirm/forget/expire, and snapshots that copy only the nodes that
// changed since the last one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { SchedulerCache } from '../../src/scheduler/cache/cache.js';
import { Snapshot } from '../../src/scheduler/cache/snapshot.js';
import { createLogger } from '../../src/util/log.js';
import { makeNode, podWithUid } from './fixtures.js';

const log = createLogger('cache-test', { level: 'silent' });
const on = (pod: Pod, nodeName: string): Pod => ({ ...pod, spec: { ...pod.spec!, nodeName } });

function newCache() {
  const clock = { t: 1_000_000 };
  const cache = new SchedulerCache({ log, now: () => clock.t, ttlMs: 30_000 });
  return { cache, clock };
}

describe('scheduler cache', () => {
  test('an assumed pod counts on its node until forgotten', () => {
    const { cache } = newCache();
    cache.addNode(makeNode('n1', { cpu: '2' }));
    const snap = new Snapshot();
    const pod = on(podWithUid('a', { cpu: '500m' }), 'n1');
    cache.assumePod(pod);
    assert.ok(cache.isAssumedPod(pod));
    cache.updateSnapshot(snap);
    assert.equal(snap.get('n1')!.requested.milliCPU, 500);
    assert.throws(() => cache.assumePod(pod), /can't be assumed/);
    cache.forgetPod(pod);
    assert.ok(!cache.hasPod(pod));
    cache.updateSnapshot(snap);
    assert.equal(snap.get('n1')!.requested.milliCPU, 0);
    assert.throws(() => cache.forgetPod(pod), /wasn't assumed/);
  });

  test('the informer add confirms an assumed pod, which then never expires', () => {
    const { cache, clock } = newCache();
    cache.addNode(makeNode('n1'));
    const pod = on(podWithUid('c', { cpu: '1' }), 'n1');
    cache.assumePod(pod);
    cache.finishBinding(pod);
    cache.addPod(pod);
    assert.ok(!cache.isAssumedPod(pod));
    clock.t += 60_000;
    cache.cleanupAssumedPods();
    assert.ok(cache.hasPod(pod));
  });

  test('an assumed pod whose binding finished but never showed up expires after the ttl', () => {
    const { cache, clock } = newCache();
    cache.addNode(makeNode('n1'));
    const pod = on(podWithUid('x', { cpu: '1' }), 'n1');
    cache.assumePod(pod);
    clock.t += 60_000;
    cache.cleanupAssumedPods();
    assert.ok(cache.hasPod(pod), 'binding not finished: kept');
    cache.finishBinding(pod);
    clock.t += 29_000;
    cache.cleanupAssumedPods();
    assert.ok(cache.hasPod(pod));
    clock.t += 2000;
    cache.cleanupAssumedPods();
    assert.ok(!cache.hasPod(pod));
  });

  test('a snapshot update copies only nodes changed since the last one, keeping NodeInfo identity', () => {
    const { cache } = newCache();
    for (let i = 0; i < 5; i++) cache.addNode(makeNode(`n${i}`));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    assert.equal(snap.numNodes(), 5);
    const before = new Map(snap.list().map((ni) => [ni.name, ni]));
    const podsArrays = new Map(snap.list().map((ni) => [ni.name, ni.pods]));
    cache.addPod(on(podWithUid('p', { cpu: '1' }), 'n3'));
    cache.updateSnapshot(snap);
    for (const ni of snap.list()) {
      assert.equal(ni, before.get(ni.name), 'same NodeInfo object');
      if (ni.name === 'n3') assert.notEqual(ni.pods, podsArrays.get('n3'), 'n3 was recopied');
      else assert.equal(ni.pods, podsArrays.get(ni.name), `${ni.name} was not recopied`);
    }
    assert.equal(snap.get('n3')!.pods.length, 1);
    assert.equal(cache.recencyOrder()[0], 'n3');
  });

  test('removed nodes leave the snapshot; a node removed with pods on it stays in the cache until they go', () => {
    const { cache } = newCache();
    cache.addNode(makeNode('a'));
    cache.addNode(makeNode('b'));
    const pod = on(podWithUid('q'), 'b');
    cache.addPod(pod);
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    cache.removeNode(makeNode('b'));
    cache.updateSnapshot(snap);
    assert.deepEqual(snap.list().map((n) => n.name), ['a']);
    assert.equal(cache.nodeCount, 1);
    assert.ok(cache.hasPod(pod));
    cache.removePod(pod);
    cache.addNode(makeNode('b'));
    cache.updateSnapshot(snap);
    assert.equal(snap.get('b')!.pods.length, 0);
  });

  test('pods with affinity are listed for InterPodAffinity, and the list follows changes', () => {
    const { cache } = newCache();
    cache.addNode(makeNode('a'));
    cache.addNode(makeNode('b'));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    assert.equal(snap.havePodsWithAffinityList().length, 0);
    const anti: Pod = on(podWithUid('anti', { labels: { app: 'x' } }), 'b');
    anti.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } };
    cache.addPod(anti);
    cache.updateSnapshot(snap);
    assert.deepEqual(snap.havePodsWithAffinityList().map((n) => n.name), ['b']);
    assert.deepEqual(snap.havePodsWithRequiredAntiAffinityList().map((n) => n.name), ['b']);
    cache.removePod(anti);
    cache.updateSnapshot(snap);
    assert.equal(snap.havePodsWithRequiredAntiAffinityList().length, 0);
  });

  test('the affinity lists are edited for the nodes that changed and always hold what a fresh snapshot holds', () => {
    const { cache } = newCache();
    for (const n of ['a', 'b', 'c', 'd']) cache.addNode(makeNode(n));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    const antiPod = (uid: string, node: string): Pod => {
      const p = on(podWithUid(uid, { labels: { app: 'x' } }), node);
      p.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'x' } } }] } };
      return p;
    };
    const names = (l: { name: string }[]) => l.map((n) => n.name).sort();
    const expectSameAsFresh = () => {
      cache.updateSnapshot(snap);
      const fresh = new Snapshot();
      cache.updateSnapshot(fresh);
      assert.deepEqual(names(snap.havePodsWithAffinityList()), names(fresh.havePodsWithAffinityList()));
      assert.deepEqual(names(snap.havePodsWithRequiredAntiAffinityList()), names(fresh.havePodsWithRequiredAntiAffinityList()));
      return names(snap.havePodsWithRequiredAntiAffinityList());
    };
    const p1 = antiPod('p1', 'a');
    const p2 = antiPod('p2', 'c');
    const p3 = antiPod('p3', 'c');
    cache.addPod(p1);
    cache.addPod(p2);
    assert.deepEqual(expectSameAsFresh(), ['a', 'c']);
    const before = snap.havePodsWithRequiredAntiAffinityList();
    cache.addPod(p3);
    cache.removePod(p1);
    assert.deepEqual(expectSameAsFresh(), ['c']);
    assert.deepEqual(names(before), ['a', 'c'], 'an earlier list is not changed in place');
    cache.removePod(p2);
    assert.deepEqual(expectSameAsFresh(), ['c']);
    cache.addPod(antiPod('p4', 'd'));
    cache.removePod(p3);
    assert.deepEqual(expectSameAsFresh(), ['d']);
  });

  test('image states count the nodes that have each image, across nodes', () => {
    const { cache } = newCache();
    const withImage = (name: string) => {
      const n = makeNode(name);
      n.status!.images = [{ names: ['docker.io/library/nginx:1.27', 'nginx:1.27'], sizeBytes: 50_000_000 }];
      return n;
    };
    cache.addNode(withImage('a'));
    cache.addNode(withImage('b'));
    cache.addNode(makeNode('c'));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    assert.deepEqual(snap.get('a')!.imageStates.get('nginx:1.27'), { sizeBytes: 50_000_000, numNodes: 2 });
    assert.equal(snap.get('c')!.imageStates.size, 0);
    cache.removeNode(withImage('b'));
    cache.updateSnapshot(snap);
    assert.equal(snap.get('a')!.imageStates.get('nginx:1.27')!.numNodes, 1);
  });

  test('a snapshot NodeInfo copied in place does not change when the cache changes the node afterwards', () => {
    const { cache } = newCache();
    cache.addNode(makeNode('n1', { cpu: '4' }));
    const snap = new Snapshot();
    const first = on(podWithUid('first', { cpu: '1' }), 'n1');
    cache.addPod(first);
    cache.updateSnapshot(snap);
    const ni = snap.get('n1')!;
    const ports = on(podWithUid('ports', { cpu: '500m' }), 'n1');
    ports.spec!.containers[0]!.ports = [{ containerPort: 80, hostPort: 8080 }];
    cache.addPod(ports);
    // The snapshot still shows the state of its last update until the next one.
    assert.equal(ni.requested.milliCPU, 1000);
    assert.equal(ni.pods.length, 1);
    assert.equal(ni.usedPorts.size, 0);
    cache.updateSnapshot(snap);
    assert.equal(snap.get('n1'), ni, 'same NodeInfo object');
    assert.equal(ni.requested.milliCPU, 1500);
    assert.equal(ni.nonZeroRequested.milliCPU, 1500);
    assert.deepEqual(ni.pods.map((p) => p.pod.metadata!.name), ['first', 'ports']);
    assert.ok(ni.usedPorts.conflicts(undefined, 'TCP', 8080));
    cache.removePod(ports);
    assert.ok(ni.usedPorts.conflicts(undefined, 'TCP', 8080), 'the cache edits its own port table, not the snapshot one');
    cache.updateSnapshot(snap);
    assert.equal(ni.usedPorts.size, 0);
    assert.equal(ni.requested.milliCPU, 1000);
  });

  test('the snapshot counts the nodes that report images (ImageLocality skips Score when none do)', () => {
    const { cache } = newCache();
    const withImage = (name: string) => {
      const n = makeNode(name);
      n.status!.images = [{ names: ['nginx:1.27'], sizeBytes: 50_000_000 }];
      return n;
    };
    cache.addNode(makeNode('a'));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    assert.equal(snap.numNodesWithImages(), 0);
    cache.addNode(withImage('b'));
    cache.updateNode(makeNode('a'), withImage('a'));
    cache.updateSnapshot(snap);
    assert.equal(snap.numNodesWithImages(), 2);
    cache.removeNode(withImage('b'));
    cache.updateNode(withImage('a'), makeNode('a'));
    cache.updateSnapshot(snap);
    assert.equal(snap.numNodesWithImages(), 0);
  });

  test('nodes are listed interleaved by zone', () => {
    const { cache } = newCache();
    const z = (name: string, zone: string) => makeNode(name, { labels: { 'topology.kubernetes.io/zone': zone } });
    for (const [n, zone] of [['a1', 'a'], ['a2', 'a'], ['b1', 'b'], ['b2', 'b'], ['a3', 'a']] as const) cache.addNode(z(n, zone));
    const snap = new Snapshot();
    cache.updateSnapshot(snap);
    assert.deepEqual(snap.list().map((n) => n.name), ['a1', 'b1', 'a2', 'b2', 'a3']);
  });
});
