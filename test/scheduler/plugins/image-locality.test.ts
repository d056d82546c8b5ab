// ImageLocality against upstream's image_locality_test.go (the current formula: thresholds
// 23 MB and 1000 MB × number of containers, init containers included, sizes scaled by spread),
// plus image name normalization.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerImage, Pod } from 'kubernetes-types/core/v1.js';
import { Snapshot } from '../../../src/scheduler/cache/snapshot.js';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import type { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { Code } from '../../../src/scheduler/framework/status.js';
import {
  calculatePriority,
  factory,
  familiarImageName,
  fullyQualifiedImageName,
  ImageLocalityPlugin,
  NAME,
  normalizedImageName,
} from '../../../src/scheduler/plugins/image-locality/index.js';
import { handle, info, node, pod, runScore } from './basic-fixtures.js';

const MB = 1024 * 1024;

/** NodeInfos with imageStates filled as the scheduler cache does (every name → size, nodes having it). */
function imageNodes(spec: Record<string, ContainerImage[]>): NodeInfo[] {
  const infos = Object.entries(spec).map(([name, images]) => info(node(name, { status: { images } })));
  const numNodes = new Map<string, number>();
  for (const ni of infos) for (const img of ni.node!.status!.images!) for (const n of new Set(img.names)) numNodes.set(n, (numNodes.get(n) ?? 0) + 1);
  for (const ni of infos) for (const img of ni.node!.status!.images!) for (const n of img.names ?? []) ni.imageStates.set(n, { sizeBytes: img.sizeBytes ?? 0, numNodes: numNodes.get(n)! });
  return infos;
}

const node403002000: ContainerImage[] = [
  { names: ['gcr.io/40:latest', 'gcr.io/40:v1', 'gcr.io/40:v1'], sizeBytes: 40 * MB },
  { names: ['gcr.io/300:latest', 'gcr.io/300:v1'], sizeBytes: 300 * MB },
  { names: ['gcr.io/2000:latest'], sizeBytes: 2000 * MB },
];
const node25010: ContainerImage[] = [
  { names: ['gcr.io/250:latest'], sizeBytes: 250 * MB },
  { names: ['gcr.io/10:latest', 'gcr.io/10:v1'], sizeBytes: 10 * MB },
];

const withImages = (images: string[], init: string[] = []): Pod =>
  pod('p', { initContainers: init.map((image, i) => ({ name: `i${i}`, image })), containers: images.map((image, i) => ({ name: `c${i}`, image })) });

const cases: { name: string; pod: Pod; nodes: Record<string, ContainerImage[]>; want: Record<string, number> }[] = [
  {
    // m1: 40M/2 = 20M < 23M → 0. m2: 250M/2 = 125M → 100·(125−23)/(2000−23) = 5.
    name: 'two images spread on two nodes: prefer the node with the larger image',
    pod: withImages(['gcr.io/40', 'gcr.io/250']),
    nodes: { m1: node403002000, m2: node25010 },
    want: { m1: 0, m2: 5 },
  },
  {
    // m1: (40M + 300M)/2 = 170M → 100·147/1977 = 7.
    name: 'two images on one node: prefer that node',
    pod: withImages(['gcr.io/40', 'gcr.io/300']),
    nodes: { m1: node403002000, m2: node25010 },
    want: { m1: 7, m2: 0 },
  },
  {
    // m1: 2000M/2 = 1000M → 100·977/1977 = 49; m2: 10M/2 < 23M → 0.
    name: 'the per-container maximum grows with the number of containers',
    pod: withImages(['gcr.io/10', 'gcr.io/2000']),
    nodes: { m1: node403002000, m2: node25010 },
    want: { m1: 49, m2: 0 },
  },
  {
    // m1: 2000M/3 → 100·(666.7−23)/1977 = 32.
    name: 'a node without images lowers the spread factor of the others',
    pod: withImages(['gcr.io/10', 'gcr.io/2000']),
    nodes: { m1: node403002000, m2: node25010, m3: [] },
    want: { m1: 32, m2: 0, m3: 0 },
  },
  {
    name: 'init container images count like regular ones',
    pod: withImages(['gcr.io/40'], ['gcr.io/300']),
    nodes: { m1: node403002000, m2: node25010 },
    want: { m1: 7, m2: 0 },
  },
  {
    // 1000M on both nodes (spread 1), one container: the sum reaches the 1000M maximum.
    name: 'an image present on every node scores the maximum everywhere when large enough',
    pod: withImages(['gcr.io/big:v1']),
    nodes: { m1: [{ names: ['gcr.io/big:v1'], sizeBytes: 1000 * MB }], m2: [{ names: ['gcr.io/big:v1'], sizeBytes: 1000 * MB }] },
    want: { m1: 100, m2: 100 },
  },
  {
    // 500M, one node: 100·(500−23)/(1000−23) = 48.
    name: 'a short image name matches a node reporting the fully-qualified Docker Hub name',
    pod: withImages(['nginx']),
    nodes: { m1: [{ names: ['docker.io/library/nginx:latest'], sizeBytes: 500 * MB }] },
    want: { m1: 48 },
  },
  {
    name: 'a fully-qualified image name matches a node reporting the short name',
    pod: withImages(['docker.io/library/redis:7']),
    nodes: { m1: [{ names: ['redis:7'], sizeBytes: 500 * MB }], m2: [] },
    want: { m1: 23, m2: 0 },
  },
];

for (const c of cases) {
  test(`Score: ${c.name}`, () => {
    const infos = imageNodes(c.nodes);
    assert.deepEqual(runScore(new ImageLocalityPlugin(handle(infos)), c.pod, infos), c.want);
  });
}

test('normalizedImageName as upstream: append :latest only to an untagged, undigested reference', () => {
  const digest = 'root@sha256:4813494d137e1631bba301d5acab6e7bb7aa74ce1185d456565ef51d737677b2';
  for (const [input, want] of [
    ['root', 'root:latest'],
    ['gcr.io:5000/root', 'gcr.io:5000/root:latest'],
    ['root:tag', 'root:tag'],
    [digest, digest],
  ]) {
    assert.equal(normalizedImageName(input!), want);
  }
});

test('fully-qualified and familiar forms follow Docker reference normalization', () => {
  assert.equal(fullyQualifiedImageName('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(fullyQualifiedImageName('bitnami/redis:7'), 'docker.io/bitnami/redis:7');
  assert.equal(fullyQualifiedImageName('localhost/app'), 'localhost/app:latest');
  assert.equal(fullyQualifiedImageName('registry.k8s.io/pause:3.9'), 'registry.k8s.io/pause:3.9');
  assert.equal(familiarImageName('docker.io/library/nginx:1.25'), 'nginx:1.25');
  assert.equal(familiarImageName('index.docker.io/bitnami/redis'), 'bitnami/redis:latest');
});

test('calculatePriority clamps to the thresholds', () => {
  assert.equal(calculatePriority(0, 1), 0);
  assert.equal(calculatePriority(5000 * MB, 1), 100);
  assert.equal(calculatePriority(5000 * MB, 0), 0);
});

test('factory and name', () => {
  assert.equal(NAME, 'ImageLocality');
  assert.equal(factory(undefined, handle()).name, NAME);
});

test('PreScore skips Score when no node reports any image (every score would be 0), by the snapshot count or a scan', () => {
  const bare = [info(node('a')), info(node('b'))];
  const state = new CycleState();
  assert.equal(new ImageLocalityPlugin(handle(bare)).preScore(state, withImages(['gcr.io/40:latest']), bare)?.code, Code.Skip);
  const snap = Snapshot.of(bare);
  assert.equal(new ImageLocalityPlugin(handle(bare, { snapshotSharedLister: () => snap })).preScore(state, withImages(['gcr.io/40:latest']), bare)?.code, Code.Skip);
  const some = imageNodes({ a: node403002000, b: [] });
  assert.equal(new ImageLocalityPlugin(handle(some)).preScore(state, withImages(['gcr.io/40:latest']), some), undefined);
  const someSnap = Snapshot.of(some);
  assert.equal(new ImageLocalityPlugin(handle(some, { snapshotSharedLister: () => someSnap })).preScore(state, withImages(['gcr.io/40:latest']), some), undefined);
});
