// Structural defaulting and null pruning of custom resources, as the apiextensions API server
// does them on every decode: each case gives an object and the object it must become.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySchemaDefaults, pruneNonNullableNullsWithoutDefaults } from '../../../src/api/crd/defaulting.js';
import type { JSONSchemaProps } from '../../../src/api/crd/json-schema-props.js';

const spec = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties, ...extra } },
});

interface Case { name: string; schema: JSONSchemaProps; obj: unknown; expect: unknown }

const defaulting: Case[] = [
  { name: 'an absent property gets its default', schema: spec({ replicas: { type: 'integer', default: 1 } }), obj: { spec: {} }, expect: { spec: { replicas: 1 } } },
  { name: 'a present property keeps its value', schema: spec({ replicas: { type: 'integer', default: 1 } }), obj: { spec: { replicas: 3 } }, expect: { spec: { replicas: 3 } } },
  { name: 'a falsy present value is not absent', schema: spec({ replicas: { type: 'integer', default: 1 }, paused: { type: 'boolean', default: true } }), obj: { spec: { replicas: 0, paused: false } }, expect: { spec: { replicas: 0, paused: false } } },
  { name: 'a null where the schema is not nullable gets the default', schema: spec({ color: { type: 'string', default: 'red' } }), obj: { spec: { color: null } }, expect: { spec: { color: 'red' } } },
  { name: 'a null where the schema is nullable stays null', schema: spec({ color: { type: 'string', nullable: true, default: 'red' } }), obj: { spec: { color: null } }, expect: { spec: { color: null } } },
  { name: 'an absent object is not created for the defaults inside it', schema: spec({ size: { type: 'string', default: 'M' } }), obj: {}, expect: {} },
  { name: 'defaults apply inside a defaulted object', schema: { type: 'object', properties: { spec: { type: 'object', default: {}, properties: { size: { type: 'string', default: 'M' } } } } }, obj: {}, expect: { spec: { size: 'M' } } },
  { name: 'defaults apply inside a default value that already has members', schema: { type: 'object', properties: { spec: { type: 'object', default: { size: 'L' }, properties: { size: { type: 'string', default: 'M' }, color: { type: 'string', default: 'red' } } } } }, obj: {}, expect: { spec: { size: 'L', color: 'red' } } },
  { name: 'defaults apply to every array item', schema: spec({ ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' } } } } }), obj: { spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] } }, expect: { spec: { ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } } },
  { name: 'a null array item gets the item default when items are not nullable', schema: spec({ ports: { type: 'array', items: { type: 'object', default: { port: 80 } } } }), obj: { spec: { ports: [null, { port: 1 }] } }, expect: { spec: { ports: [{ port: 80 }, { port: 1 }] } } },
  { name: 'defaults apply inside map values', schema: spec({ pools: { type: 'object', additionalProperties: { type: 'object', properties: { size: { type: 'integer', default: 3 } } } } }), obj: { spec: { pools: { a: {}, b: { size: 5 } } } }, expect: { spec: { pools: { a: { size: 3 }, b: { size: 5 } } } } },
  { name: 'a null map value gets the value default', schema: spec({ pools: { type: 'object', additionalProperties: { type: 'string', default: 'x' } } }), obj: { spec: { pools: { a: null } } }, expect: { spec: { pools: { a: 'x' } } } },
  { name: 'a default of null is no default', schema: spec({ color: { type: 'string', nullable: true, default: null } }), obj: { spec: {} }, expect: { spec: {} } },
  { name: 'defaults under anyOf are not applied', schema: spec({}, { anyOf: [{ properties: { size: { default: 'M' } } }] }), obj: { spec: {} }, expect: { spec: {} } },
  { name: 'a value of another type than the schema is left alone', schema: spec({ ports: { type: 'array', items: { type: 'object', properties: { p: { default: 1 } } } } }), obj: { spec: { ports: 'none' } }, expect: { spec: { ports: 'none' } } },
  { name: 'a member named like an Object.prototype member is defaulted as any other', schema: spec({ constructor: { type: 'string', default: 'x' } }), obj: { spec: {} }, expect: { spec: { constructor: 'x' } } },
];

for (const c of defaulting) {
  test(c.name, () => {
    const obj = structuredClone(c.obj);
    applySchemaDefaults(obj, c.schema);
    assert.deepEqual(obj, c.expect);
  });
}

test('a default is deep-copied, so changing the object leaves the schema intact', () => {
  const schema = spec({ tolerations: { type: 'array', default: [{ key: 'a' }] } });
  const first: { spec: { tolerations?: { key: string }[] } } = { spec: {} };
  applySchemaDefaults(first, schema);
  first.spec.tolerations![0].key = 'changed';
  const second: { spec: { tolerations?: { key: string }[] } } = { spec: {} };
  applySchemaDefaults(second, schema);
  assert.deepEqual(second.spec.tolerations, [{ key: 'a' }]);
});

test('a scalar or null root is left as it is', () => {
  assert.doesNotThrow(() => applySchemaDefaults('text', spec({})));
  assert.doesNotThrow(() => applySchemaDefaults(null, spec({})));
});

const pruning: Case[] = [
  { name: 'pruning drops a null the schema cannot hold and has no default for', schema: spec({ size: { type: 'string' } }), obj: { spec: { size: null } }, expect: { spec: {} } },
  { name: 'pruning keeps a null in a nullable field', schema: spec({ size: { type: 'string', nullable: true } }), obj: { spec: { size: null } }, expect: { spec: { size: null } } },
  { name: 'pruning leaves a null with a default for defaulting', schema: spec({ size: { type: 'string', default: 'M' } }), obj: { spec: { size: null } }, expect: { spec: { size: null } } },
  { name: 'pruning leaves nulls in fields the schema does not describe', schema: spec({}), obj: { spec: { other: null } }, expect: { spec: { other: null } } },
  { name: 'pruning reaches into array items and map values', schema: spec({ items: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } }, pools: { type: 'object', additionalProperties: { type: 'string' } } }), obj: { spec: { items: [{ a: null }, null], pools: { x: null } } }, expect: { spec: { items: [{}, null], pools: {} } } },
];

for (const c of pruning) {
  test(c.name, () => {
    const obj = structuredClone(c.obj);
    pruneNonNullableNullsWithoutDefaults(obj, c.schema);
    assert.deepEqual(obj, c.expect);
  });
}

test('pruning then defaulting, as upstream orders them, drops one null and defaults the other', () => {
  const schema = spec({ size: { type: 'string' }, color: { type: 'string', default: 'red' } });
  const obj = { spec: { size: null, color: null } };
  pruneNonNullableNullsWithoutDefaults(obj, schema);
  applySchemaDefaults(obj, schema);
  assert.deepEqual(obj, { spec: { color: 'red' } });
});
