// A pod's effective request (podRequests): regular containers add up, init containers run one at
// a time beside the sidecars started before them, overhead is added, and the non-zero variant
// counts 100m / 200Mi for containers that request no cpu / memory. Quantities are parsed once per
// distinct text, so the same strings must give the same numbers every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import {
  addResource,
  assignResource,
  cloneResource,
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  emptyResource,
  maxResource,
  podRequests,
  resourceFromList,
  subtractResource,
} from '../../src/scheduler/framework/resource.js';

const c = (name: string, requests?: Record<string, string>, extra: Partial<Container> = {}): Container => ({ name, resources: requests ? { requests } : undefined, ...extra });
const pod = (containers: Container[], initContainers?: Container[], overhead?: Record<string, string>): Pod => ({ spec: { containers, initContainers, overhead } });
const Mi = 1024 * 1024;

const cases: { name: string; pod: Pod; want: [number, number]; nonZero: [number, number] }[] = [
  { name: 'regular containers add up', pod: pod([c('a', { cpu: '100m', memory: '500Mi' }), c('b', { cpu: '1', memory: '1Gi' })]), want: [1100, 1524 * Mi], nonZero: [1100, 1524 * Mi] },
  {
    name: 'a container without requests counts 0, or 100m/200Mi in the non-zero variant',
    pod: pod([c('a', { cpu: '200m' }), c('b')]),
    want: [200, 0],
    nonZero: [200 + DEFAULT_MILLI_CPU_REQUEST, 2 * DEFAULT_MEMORY_REQUEST],
  },
  { name: 'an init container larger than the regular ones sets the request', pod: pod([c('a', { cpu: '100m' })], [c('i', { cpu: '2' })]), want: [2000, 0], nonZero: [2000, DEFAULT_MEMORY_REQUEST] },
  {
    name: 'a sidecar runs beside the later init containers and the regular containers',
    pod: pod([c('a', { cpu: '100m' })], [c('s', { cpu: '300m' }, { restartPolicy: 'Always' }), c('i', { cpu: '500m' })]),
    want: [800, 0],
    nonZero: [800, 2 * DEFAULT_MEMORY_REQUEST],
  },
  { name: 'overhead is added', pod: pod([c('a', { cpu: '100m', memory: '10Mi' })], undefined, { cpu: '50m', memory: '1Mi' }), want: [150, 11 * Mi], nonZero: [150, 11 * Mi] },
];

for (const k of cases) {
  test(`podRequests: ${k.name}`, () => {
    for (let round = 0; round < 2; round++) {
      const r = podRequests(k.pod);
      assert.deepEqual([r.milliCPU, r.memory], k.want);
      const nz = podRequests(k.pod, { nonZero: true });
      assert.deepEqual([nz.milliCPU, nz.memory], k.nonZero);
    }
  });
}

test('podRequests: extended resources are kept by name, and each call returns a fresh Resource', () => {
  const p = pod([c('a', { 'example.com/gpu': '2' }), c('b', { 'example.com/gpu': '1' })]);
  const a = podRequests(p);
  assert.equal(a.scalar.get('example.com/gpu'), 3);
  a.milliCPU = 999;
  a.scalar.set('example.com/gpu', 0);
  assert.equal(podRequests(p).milliCPU, 0);
  assert.equal(podRequests(p).scalar.get('example.com/gpu'), 3);
});

test('Resources without scalar resources share one read-only empty map; the first scalar written gets a Resource its own', () => {
  const a = emptyResource();
  const b = podRequests(pod([c('x', { cpu: '1' })]));
  assert.equal(a.scalar, b.scalar, 'shared');
  assert.throws(() => a.scalar.set('example.com/gpu', 1), /read-only/);
  const gpu = resourceFromList({ 'example.com/gpu': '2' });
  addResource(a, gpu);
  assert.equal(a.scalar.get('example.com/gpu'), 2);
  assert.equal(b.scalar.size, 0, 'the other Resource still has none');
  assert.equal(emptyResource().scalar.size, 0);
  const d = emptyResource();
  subtractResource(d, gpu);
  assert.equal(d.scalar.get('example.com/gpu'), -2);
  const e = emptyResource();
  maxResource(e, gpu);
  assert.equal(e.scalar.get('example.com/gpu'), 2);
  const f = cloneResource(e);
  f.scalar.set('example.com/gpu', 5);
  assert.equal(e.scalar.get('example.com/gpu'), 2, 'a clone has its own map');
  assignResource(f, emptyResource());
  assert.equal(f.scalar.size, 0);
  addResource(f, gpu);
  assert.equal(f.scalar.get('example.com/gpu'), 2);
  assert.equal(emptyResource().scalar.size, 0);
});
