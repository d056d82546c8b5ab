// The direct managedFields walk for creates must give exactly what the general tracker
// (updateManagedFields, which diffs against a baseline) gives: compared byte for byte on
// hand-picked edge cases and on random objects generated from every built-in kind's schema.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import type { SchemaNode } from '../../src/api/schema.js';
import { updateManagedFields } from '../../src/api/patch/apply/index.js';
import { builtinRegistry } from '../../src/apiserver/registry/builtin.js';
import { buildCreatedFieldsV1, createdFieldsV1, createFastPathApplies, createManagedFieldsEntry } from '../../src/apiserver/registry/create-managed-fields.js';

const registry = builtinRegistry();
const now = '2026-01-02T03:04:05Z';

function general(obj: KubeObject, schema: SchemaNode | undefined, manager = 'm'): unknown {
  const o = structuredClone(obj);
  updateManagedFields({ old: undefined, updated: o, manager, operation: 'Update', schema, now });
  return o.metadata?.managedFields;
}

function direct(obj: KubeObject, schema: SchemaNode | undefined, manager = 'm'): unknown {
  const e = createManagedFieldsEntry(structuredClone(obj), schema, manager, now);
  return e ? [e] : undefined;
}

function assertSame(obj: KubeObject, schema: SchemaNode | undefined, what: string): void {
  // JSON text, so key order (what clients see) is compared too.
  assert.equal(JSON.stringify(direct(obj, schema)), JSON.stringify(general(obj, schema)), what);
}

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random value shaped (mostly) by the schema: also nulls, empties, wrong types, unknown fields, duplicate keys. */
function randomValue(s: SchemaNode | undefined, r: () => number, depth: number): unknown {
  const x = r();
  if (x < 0.04) return null;
  if (x < 0.07) return r() < 0.5 ? {} : [];
  if (x < 0.09) return 'wrong-type';
  if (!s || s.type === 'any' || depth > 6) {
    if (depth > 6) return r() < 0.5 ? 'v' : 1;
    const y = r();
    if (y < 0.3) return { a: randomValue(undefined, r, depth + 1), b: 'x' };
    if (y < 0.5) return [1, 'x', { z: 1 }];
    return y < 0.75 ? 'str' : 7;
  }
  switch (s.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const fields = Object.entries(s.fields());
      for (const [name, f] of fields) {
        if (r() < Math.min(0.9, 6 / fields.length)) out[name] = randomValue(f.schema, r, depth + 1);
      }
      if (r() < 0.05) out.unknownField = randomValue(undefined, r, depth + 1);
      return out;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      const n = Math.floor(r() * 3);
      for (let i = 0; i < n; i++) out[`k${Math.floor(r() * 4)}`] = randomValue(s.values, r, depth + 1);
      return out;
    }
    case 'array': {
      const n = Math.floor(r() * 4);
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(randomValue(s.items, r, depth + 1));
      // Duplicate items: list-maps keep the first of each key.
      if (out.length && r() < 0.2) out.push(structuredClone(out[0]));
      return out;
    }
    case 'integer':
    case 'number':
      return Math.floor(r() * 5);
    case 'boolean':
      return r() < 0.5;
    default:
      // Few distinct strings, so list-map keys collide sometimes.
      return ['a', 'b', 'TCP', 'UDP', '<x&y>'][Math.floor(r() * 5)];
  }
}

describe('managedFields of a create, direct walk', () => {
  const pods = registry.find('', 'v1', 'pods')!;

  test('a typical pod: the same entry as the general tracker', () => {
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', uid: 'u', creationTimestamp: now, labels: { app: 'a' }, annotations: {} },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            ports: [{ name: 'http', containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }],
            env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }],
            resources: { requests: { cpu: '100m' } },
            readinessProbe: { httpGet: { path: '/', port: 8080 } },
            securityContext: {},
          },
        ],
        securityContext: {},
        nodeSelector: {},
        tolerations: [],
        volumes: [{ name: 'v', emptyDir: {} }],
      },
    };
    pods.strategy.defaults?.(pod);
    assertSame(pod, pods.schema(), 'pod');
  });

  test('edge cases: nulls, empties, only stripped metadata, no schema, reset managedFields', () => {
    const cases: [string, KubeObject][] = [
      ['only identity', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', uid: 'u', generation: 1 } }],
      ['null spec field', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { nodeSelector: null, containers: null } as never }],
      ['empty spec', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }],
      ['wrong types', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: 'x' as never }, spec: { containers: 'x' } as never }],
      ['metadata name as object', { apiVersion: 'v1', kind: 'Pod', metadata: { name: { a: 1 } as never } }],
      ['reset managedFields', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: [] }, spec: { hostname: 'h' } }],
      ['reset managedFields, one empty entry', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: [{}] }, spec: { hostname: 'h' } }],
      ['undefined values', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: undefined }, spec: { hostname: undefined } } as never],
    ];
    for (const [what, obj] of cases) {
      assert.ok(createFastPathApplies(obj), what);
      assertSame(obj, pods.schema(), what);
    }
    assertSame({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x', labels: { a: 'b' } }, spec: { a: [1, 2], b: { c: null } } }, undefined, 'untyped');
    assertSame({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' } }, undefined, 'untyped, nothing owned');
  });

  test('a client that sends managedFields of its own takes the general path', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', managedFields: [{ manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }] } };
    assert.equal(createFastPathApplies(obj), false);
  });

  test('no manager name: the entry has no manager, as the general tracker writes it', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    const schema = registry.find('', 'v1', 'configmaps')!.schema();
    assert.equal(JSON.stringify(direct(obj, schema, '')), JSON.stringify(general(obj, schema, '')));
  });

  test('random objects of every built-in kind: the same entries as the general tracker', () => {
    let compared = 0;
    for (const entry of registry.all()) {
      const schema = entry.schema();
      for (let seed = 1; seed <= 25; seed++) {
        const r = rng(seed * 7919 + compared);
        const body = randomValue(schema, r, 0);
        const obj = { ...(body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}), apiVersion: entry.type.version, kind: entry.type.kind } as KubeObject;
        if (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) obj.metadata = { name: 'n' };
        delete obj.metadata.managedFields;
        assertSame(obj, schema, `${entry.type.kind} seed ${seed}: ${JSON.stringify(obj)}`);
        compared++;
      }
    }
    assert.ok(compared > 500);
  });

  test('objects of one shape share one frozen tree, and each gets what its own walk builds', () => {
    /** The same object with its scalars changed (list-map keys among them, so shapes differ sometimes). */
    const vary = (v: unknown, r: () => number): unknown => {
      if (Array.isArray(v)) return v.map((x) => vary(x, r));
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, vary(x, r)]));
      if (typeof v === 'string') return r() < 0.5 ? v : ['a', 'b', 'TCP', 'UDP', 'c'][Math.floor(r() * 5)];
      if (typeof v === 'number') return r() < 0.5 ? v : v + 1;
      if (typeof v === 'boolean') return r() < 0.5 ? v : !v;
      return v;
    };
    let shared = 0;
    for (const entry of registry.all()) {
      const schema = entry.schema();
      for (let seed = 1; seed <= 10; seed++) {
        const r = rng(seed * 104729);
        const body = randomValue(schema, r, 0);
        const obj = { ...(body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {}), apiVersion: entry.type.version, kind: entry.type.kind } as KubeObject;
        if (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) obj.metadata = { name: 'n' };
        delete obj.metadata.managedFields;
        const first = createdFieldsV1(obj, schema);
        assert.equal(JSON.stringify(first), JSON.stringify(buildCreatedFieldsV1(obj, schema)), `${entry.type.kind} seed ${seed}`);
        if (first) {
          assert.ok(Object.isFrozen(first));
          assert.equal(createdFieldsV1(structuredClone(obj), schema), first, 'the same shape shares the tree');
          shared++;
        }
        for (let i = 0; i < 5; i++) {
          const other = vary(obj, r) as KubeObject;
          assert.equal(JSON.stringify(createdFieldsV1(other, schema)), JSON.stringify(buildCreatedFieldsV1(other, schema)), `${entry.type.kind} seed ${seed} variant ${i}: ${JSON.stringify(other)}`);
        }
      }
    }
    assert.ok(shared > 100);
  });
});
