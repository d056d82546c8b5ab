// How server-side apply sees a value through its schema: as a scalar leaf, a struct (declared
// fields), a map (arbitrary keys), or a list (atomic, set, or map keyed by some fields). This is
// the one place SchemaNode is interpreted, following upstream's OpenAPI-to-SMD conversion:
// without x-kubernetes-list-type, patchStrategy=merge makes a list a map keyed by patchMergeKey
// (or a set for scalars); everything else is atomic. Unknown schema (undefined, or `any`) is
// "deduced": objects are granular maps, lists atomic.
import type { FieldNode, SchemaNode } from '../../schema.js';
import type { PathElement } from './path.js';
import { copyJson } from '../../json-copy.js';

export type Shape =
  | { kind: 'leaf' }
  | { kind: 'struct'; atomic: boolean; field: (name: string) => Typed | undefined }
  | { kind: 'map'; atomic: boolean; value: Typed }
  | { kind: 'list'; relation: 'atomic' | 'set' | 'map'; keys: string[]; item: Typed };

/** A schema position: the node, plus the struct-field tags that shape lists without listType. */
export interface Typed {
  schema: SchemaNode | undefined;
  field?: FieldNode;
}

export const DEDUCED: Typed = { schema: undefined };

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const LEAF: Shape = { kind: 'leaf' };
const DEDUCED_MAP: Shape = { kind: 'map', atomic: false, value: DEDUCED };
const DEDUCED_LIST: Shape = { kind: 'list', relation: 'atomic', keys: [], item: DEDUCED };

// Shapes depend only on the schema position (and, for a list without listType, the field's
// patch tags), so each is built once and shared, with its fields' positions: the walks ask for
// them at every node. Shapes and positions are only read.
const nodeShapes = new WeakMap<SchemaNode, Shape>();
const taggedListShapes = new WeakMap<FieldNode, { schema: SchemaNode; shape: Shape }>();

function structShape(s: Extract<SchemaNode, { type: 'object' }>): Shape {
  const fields = s.fields();
  const positions = new Map<string, Typed>();
  return {
    kind: 'struct',
    atomic: s.mapType === 'atomic',
    // Unknown fields of a struct are kept deduced (preserve-unknown-fields, or not yet pruned).
    field: (name) => {
      if (!Object.hasOwn(fields, name)) return undefined;
      let t = positions.get(name);
      if (!t) {
        t = { schema: fields[name].schema, field: fields[name] };
        positions.set(name, t);
      }
      return t;
    },
  };
}

function listShape(s: Extract<SchemaNode, { type: 'array' }>, f: FieldNode | undefined): Shape {
  const item: Typed = { schema: s.items };
  if (s.listType === 'map') return { kind: 'list', relation: 'map', keys: s.listMapKeys ?? [], item };
  if (s.listType === 'set') return { kind: 'list', relation: 'set', keys: [], item };
  if (s.listType === 'atomic') return { kind: 'list', relation: 'atomic', keys: [], item };
  if (f?.patchStrategy?.includes('merge')) {
    if (f.patchMergeKey) return { kind: 'list', relation: 'map', keys: [f.patchMergeKey], item };
    return { kind: 'list', relation: 'set', keys: [], item };
  }
  return { kind: 'list', relation: 'atomic', keys: [], item };
}

/** The shape of value v at position t. A value whose JSON kind disagrees with its schema is a leaf. */
export function shapeOf(t: Typed, v: unknown): Shape {
  const s = t.schema;
  if (!s || s.type === 'any') {
    if (isObject(v)) return DEDUCED_MAP;
    if (Array.isArray(v)) return DEDUCED_LIST;
    return LEAF;
  }
  if (s.type === 'object' || s.type === 'map') {
    if (v !== null && v !== undefined && !isObject(v)) return LEAF;
    let shape = nodeShapes.get(s);
    if (!shape) {
      shape = s.type === 'object' ? structShape(s) : { kind: 'map', atomic: s.mapType === 'atomic', value: { schema: s.values } };
      nodeShapes.set(s, shape);
    }
    return shape;
  }
  if (s.type === 'array') {
    if (v !== null && v !== undefined && !Array.isArray(v)) return LEAF;
    // Without listType the field's patch tags decide, so such a list's shape is the field's.
    const f = s.listType ? undefined : t.field;
    if (!f) {
      let shape = nodeShapes.get(s);
      if (!shape) nodeShapes.set(s, (shape = listShape(s, undefined)));
      return shape;
    }
    let tagged = taggedListShapes.get(f);
    if (tagged?.schema !== s) {
      tagged = { schema: s, shape: listShape(s, f) };
      taggedListShapes.set(f, tagged);
    }
    return tagged.shape;
  }
  return LEAF;
}

/** Child position of key k in a struct or map (childTyped(shape, k).typed, without the wrapper). */
export function childPosition(shape: Shape, k: string): Typed {
  if (shape.kind === 'struct') return shape.field(k) ?? DEDUCED;
  return shape.kind === 'map' ? shape.value : DEDUCED;
}

/** Child position of key k in a struct or map. */
export function childTyped(shape: Shape, k: string): { typed: Typed; declared: boolean } {
  if (shape.kind === 'struct') {
    const f = shape.field(k);
    return f ? { typed: f, declared: true } : { typed: DEDUCED, declared: false };
  }
  if (shape.kind === 'map') return { typed: shape.value, declared: false };
  return { typed: DEDUCED, declared: false };
}

/**
 * Defaults of list-map key fields that clients routinely omit; upstream reads them from the
 * OpenAPI `default` of the key field (only `protocol`, defaulting to TCP, occurs in built-ins).
 * A schema node carrying `default` wins over this table.
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

function keyDefault(item: Typed, name: string): unknown {
  const s = item.schema;
  if (s?.type !== 'object') return undefined;
  const f = s.fields()[name];
  if (!f) return undefined;
  const d = (f.schema as { default?: unknown }).default;
  return d !== undefined ? d : KEY_DEFAULTS[name];
}

export class DuplicateKeyError extends Error {}

/** The path element of a list item (upstream's listItemToPathElement). */
export function itemElement(shape: Extract<Shape, { kind: 'list' }>, index: number, item: unknown): PathElement {
  if (shape.relation === 'map') {
    if (!isObject(item)) return { index };
    const key: [string, unknown][] = [];
    for (const name of [...shape.keys].sort()) {
      let v = item[name];
      if (v === undefined || v === null) v = keyDefault(shape.item, name);
      if (v !== undefined && v !== null) key.push([name, v]);
    }
    return key.length > 0 ? { key } : { index };
  }
  if (shape.relation === 'set') return { value: item };
  return { index };
}

/** True if v carries nothing: absent, null, {} or []. Such values compare and merge as leaves. */
export function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export function clone<T>(v: T): T {
  return v === undefined ? v : copyJson(v);
}
