// The managedFields entry of a create, built in one walk of the new object straight into
// FieldsV1. The general tracker (api/patch/apply updateManagedFields) diffs the object against a
// baseline and goes through field sets, comparisons and ownership transfer; for a create with no
// managedFields of the client's own none of that can change the outcome, and the walk is most of
// a create's CPU. The result must equal the general tracker's byte for byte (the test
// test/apiserver/create-managed-fields.test.ts compares both on many objects).
//
// What the general tracker computes for a create (compare(baseline, object)): every node of the
// object is owned (a member), except the root and the "baseline" nodes — declared, non-atomic
// struct fields reached from the root through such structs only (upstream's zero value of the Go
// type, where nested structs already exist) — which own nothing themselves, only what is below
// them; a baseline struct that is empty contributes nothing at all. Granular lists and maps are
// members and contain their items (first of duplicate keys wins); everything else is a leaf.
// Then the always-ignored metadata fields are removed (stripMeta).
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { FieldNode, SchemaNode } from '../../api/schema.js';
import { compareElements, elementKey, type PathElement } from '../../api/patch/apply/path.js';

export type FieldsV1 = { [key: string]: FieldsV1 };

/**
 * Every leaf (and every "." member mark) of the trees built here is this one frozen empty node.
 * Most nodes of a FieldsV1 tree are leaves, and the trees live as long as their objects (the
 * watch cache holds every one): one shared leaf instead of one object each is most of a tree's
 * allocation and garbage-collection work. FieldsV1 trees are only read and re-encoded, never
 * changed in place; the freeze makes a write to a leaf fail loudly instead of changing them all.
 */
const LEAF_NODE: FieldsV1 = Object.freeze({}) as FieldsV1;

/**
 * Fields the tracker never records (upstream stripMetaManager), removed as members only: at the
 * root apiVersion, kind and metadata, and these fields of metadata. They are left out while the
 * walk builds each node (a delete afterwards would turn the node into a slow dictionary object).
 */
interface Strip {
  names: ReadonlySet<string>;
  /** A field that is not walked at all (the managedFields being replaced). */
  skip?: string;
  /** How to strip inside a stripped field's own node. */
  inner?: Record<string, Strip>;
}
const STRIP_META: Strip = {
  names: new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion']),
  skip: 'managedFields',
};
const STRIP_ROOT: Strip = { names: new Set(['apiVersion', 'kind', 'metadata']), inner: { metadata: STRIP_META } };

/** Key fields of list-maps that clients omit, as the general tracker defaults them (typed.ts). */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

const LEAF = 0;
const STRUCT = 1;
const MAP = 2;
const LIST_ATOMIC = 3;
const LIST_SET = 4;
const LIST_MAP = 5;
const ATOMIC_OBJECT = 6;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** How v is walked at this schema position (typed.ts shapeOf, without allocating). */
function kindOf(schema: SchemaNode | undefined, field: FieldNode | undefined, v: unknown): number {
  if (!schema || schema.type === 'any') return isObject(v) ? MAP : Array.isArray(v) ? LIST_ATOMIC : LEAF;
  switch (schema.type) {
    case 'object':
      if (v !== null && v !== undefined && !isObject(v)) return LEAF;
      return schema.mapType === 'atomic' ? ATOMIC_OBJECT : STRUCT;
    case 'map':
      if (v !== null && v !== undefined && !isObject(v)) return LEAF;
      return schema.mapType === 'atomic' ? ATOMIC_OBJECT : MAP;
    case 'array':
      if (v !== null && v !== undefined && !Array.isArray(v)) return LEAF;
      if (schema.listType === 'map') return LIST_MAP;
      if (schema.listType === 'set') return LIST_SET;
      if (schema.listType === 'atomic') return LIST_ATOMIC;
      if (field?.patchStrategy?.includes('merge')) return field.patchMergeKey ? LIST_MAP : LIST_SET;
      return LIST_ATOMIC;
    default:
      return LEAF;
  }
}

// Sorted key field names of a list-map position, once per schema position.
const sortedKeysCache = new WeakMap<object, string[]>();

function listMapKeys(schema: SchemaNode, field: FieldNode | undefined): string[] {
  const at: object = field ?? schema;
  let keys = sortedKeysCache.get(at);
  if (!keys) {
    const declared = schema.type === 'array' && schema.listType === 'map' ? (schema.listMapKeys ?? []) : field?.patchMergeKey ? [field.patchMergeKey] : [];
    keys = [...declared].sort();
    sortedKeysCache.set(at, keys);
  }
  return keys;
}

function keyDefault(item: SchemaNode, name: string): unknown {
  if (item.type !== 'object') return undefined;
  const f = item.fields()[name];
  if (!f) return undefined;
  const d = (f.schema as { default?: unknown }).default;
  return d !== undefined ? d : KEY_DEFAULTS[name];
}

/** The path element of a list item (typed.ts itemElement). */
function itemElement(kind: number, keys: string[], itemSchema: SchemaNode, index: number, item: unknown): PathElement {
  if (kind === LIST_MAP) {
    if (!isObject(item)) return { index };
    const key: [string, unknown][] = [];
    for (const name of keys) {
      let v = item[name];
      if (v === undefined || v === null) v = keyDefault(itemSchema, name);
      if (v !== undefined && v !== null) key.push([name, v]);
    }
    return key.length > 0 ? { key } : { index };
  }
  return { value: item };
}

// FieldsV1 keys of field names. Declared fields: per struct schema, with their field node;
// other names (map keys, undeclared fields): a bounded cache, as label keys repeat across objects.
const declaredCache = new WeakMap<object, Map<string, { key: string; field: FieldNode }>>();
const nameKeys = new Map<string, string>();
const maxNameKeys = 10_000;

function declaredFields(schema: Extract<SchemaNode, { type: 'object' }>): Map<string, { key: string; field: FieldNode }> {
  let m = declaredCache.get(schema);
  if (!m) {
    m = new Map();
    const fields = schema.fields();
    for (const name of Object.keys(fields)) m.set(name, { key: `f:${name}`, field: fields[name] });
    declaredCache.set(schema, m);
  }
  return m;
}

function nameKey(name: string): string {
  let k = nameKeys.get(name);
  if (k === undefined) {
    k = `f:${name}`;
    if (nameKeys.size >= maxNameKeys) nameKeys.clear();
    nameKeys.set(name, k);
  }
  return k;
}

/**
 * Adds v's ownership under `key` to `out`; false if v owns nothing. `base`: v is a baseline
 * struct (see the top). Only a baseline struct can own nothing.
 */
function put(out: FieldsV1, key: string, v: unknown, schema: SchemaNode | undefined, field: FieldNode | undefined, base: boolean, strip?: Strip): boolean {
  if (v === undefined || v === null) {
    out[key] = LEAF_NODE;
    return true;
  }
  const kind = kindOf(schema, field, v);
  if (kind === LEAF || kind === LIST_ATOMIC || kind === ATOMIC_OBJECT) {
    out[key] = LEAF_NODE;
    return true;
  }
  if (kind === LIST_SET || kind === LIST_MAP) {
    const list = v as unknown[];
    if (list.length === 0) out[key] = LEAF_NODE;
    else {
      const s = schema as Extract<SchemaNode, { type: 'array' }>;
      out[key] = listItems(list, kind, kind === LIST_MAP ? listMapKeys(s, field) : [], s.items);
    }
    return true;
  }
  const names = Object.keys(v as object);
  if (names.length === 0) {
    // An empty baseline struct equals its baseline: nothing changed, nothing owned.
    if (base) return false;
    out[key] = LEAF_NODE;
    return true;
  }
  const children = fieldsOf(v as Record<string, unknown>, names, kind, schema, base, !base, strip);
  if (base) {
    if (!children) return false;
    out[key] = children;
  } else {
    // A member with nothing below it (every field undefined) is a leaf.
    out[key] = children ?? LEAF_NODE;
  }
  return true;
}

/**
 * The fields of a struct or granular map, sorted (after "." when `self`); undefined if none.
 * `strip`: members to leave out at this level (they still count as owned, as before stripping).
 */
function fieldsOf(obj: Record<string, unknown>, names: string[], kind: number, schema: SchemaNode | undefined, base: boolean, self: boolean, strip?: Strip): FieldsV1 | undefined {
  if (names.length > 1) sortNames(names);
  const out: FieldsV1 = self ? { '.': LEAF_NODE } : {};
  let owned = false;
  const declared = kind === STRUCT ? declaredFields(schema as Extract<SchemaNode, { type: 'object' }>) : undefined;
  const values = kind === MAP && schema && schema.type === 'map' ? schema.values : undefined;
  for (const name of names) {
    const child = obj[name];
    if (child === undefined) continue;
    if (strip?.names.has(name)) {
      if (name === strip.skip) continue;
      const held: FieldsV1 = {};
      if (putOne(held, name, child, declared, values, base, strip.inner?.[name])) owned = true;
      const key = declared?.get(name)?.key ?? nameKey(name);
      const kept = withoutMember(held[key]);
      if (kept !== undefined) out[key] = kept;
      continue;
    }
    if (putOne(out, name, child, declared, values, base, undefined)) owned = true;
  }
  return owned ? out : undefined;
}

/**
 * Sorts names in place exactly as names.sort() does (by UTF-16 code units; names are distinct).
 * One object has a few fields, mostly in order already: an insertion sort with `>` costs a fraction
 * of the built-in sort, whose comparisons go through its generic string conversion (measured: the
 * sort was a fifth of this walk).
 */
function sortNames(names: string[]): void {
  if (names.length > 32) {
    names.sort();
    return;
  }
  for (let i = 1; i < names.length; i++) {
    const v = names[i];
    let j = i - 1;
    while (j >= 0 && names[j] > v) {
      names[j + 1] = names[j];
      j--;
    }
    names[j + 1] = v;
  }
}

/** put() for one field of a struct (declared: its fields) or of a granular map (values: their schema). */
function putOne(
  out: FieldsV1,
  name: string,
  child: unknown,
  declared: Map<string, { key: string; field: FieldNode }> | undefined,
  values: SchemaNode | undefined,
  base: boolean,
  strip: Strip | undefined,
): boolean {
  if (declared) {
    const d = declared.get(name);
    if (d) {
      const f = d.field;
      const childBase = base && isObject(child) && kindOf(f.schema, f, child) === STRUCT;
      return put(out, d.key, child, f.schema, f, childBase, strip);
    }
    return put(out, nameKey(name), child, undefined, undefined, false, strip);
  }
  return put(out, nameKey(name), child, values, undefined, false, strip);
}

/**
 * A node once its own membership is removed (upstream's field-set removal of the member only):
 * what is below it stays; undefined when nothing is. (A node with "." always has something below
 * it, unless fields inside it were stripped too: metadata with only stripped fields is gone.)
 */
function withoutMember(n: FieldsV1 | undefined): FieldsV1 | undefined {
  if (n === undefined) return undefined;
  if (n['.'] === undefined) return isEmptyNode(n) ? undefined : n;
  const rest: FieldsV1 = {};
  let any = false;
  for (const k in n) {
    if (k === '.') continue;
    rest[k] = n[k];
    any = true;
  }
  return any ? rest : undefined;
}

/** A granular list: a member containing its items (first of duplicate keys wins), sorted. */
function listItems(list: unknown[], kind: number, keys: string[], itemSchema: SchemaNode): FieldsV1 {
  const items: { pe: PathElement; key: string; item: unknown }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const pe = itemElement(kind, keys, itemSchema, i, list[i]);
    const key = elementKey(pe);
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ pe, key, item: list[i] });
  }
  if (items.length > 1) items.sort((a, b) => compareElements(a.pe, b.pe));
  const node: FieldsV1 = { '.': LEAF_NODE };
  for (const { key, item } of items) put(node, key, item, itemSchema, undefined, false);
  return node;
}

/** A FieldsV1 node with no members (bind-managed-fields.ts asks this of entries too). */
export function isEmptyNode(n: FieldsV1): boolean {
  for (const k in n) if (Object.hasOwn(n, k)) return false;
  return true;
}

/** The fields a create of `obj` owns, as FieldsV1; undefined when it owns none. Built anew (see createdFieldsV1). */
export function buildCreatedFieldsV1(obj: KubeObject, schema: SchemaNode | undefined): FieldsV1 | undefined {
  const kind = kindOf(schema, undefined, obj);
  if (kind !== STRUCT && kind !== MAP) return undefined;
  const root = fieldsOf(obj as Record<string, unknown>, Object.keys(obj), kind, schema, kind === STRUCT, false, STRIP_ROOT);
  return root === undefined || isEmptyNode(root) ? undefined : root;
}

// ---- the same trees, shared -------------------------------------------------------------------
//
// Creates of one kind mostly have one shape (a controller's or a load generator's pods differ in
// names, not in which fields they set), and so one FieldsV1 tree. What decides the tree is the
// object's skeleton as the walk above sees it: the names at every level, how each value is walked
// (kindOf), and the path elements of granular lists' items — never a scalar's value otherwise.
// The shape walk below follows put/fieldsOf without building anything: it steps through a trie
// of those tokens (names and path elements as strings, everything else as negative numbers, so
// the two never meet), whose node for a whole object holds that shape's tree. Objects with the
// same shape (under one schema) get one deeply frozen tree, shared as the bind fast path shares
// its own (FieldsV1 trees are only read and re-encoded, never changed in place); one tree per
// shape instead of one per object also keeps the watch cache's objects smaller. A walk of a known
// shape allocates nothing.

class ShapeNode {
  readonly next = new Map<string | number, ShapeNode>();
  /** The tree of the shape ending here: null when it owns nothing, undefined when not built yet. */
  tree: FieldsV1 | null | undefined;
}

/** Per schema (the untyped walk under its own key): the trie's root and how many nodes it has. */
interface Shapes {
  root: ShapeNode;
  nodes: number;
}

const shapesBySchema = new WeakMap<object, Shapes>();
const untyped = {};
/** Shapes are the clients': past this many trie nodes (a few MB) the trie starts over. */
const maxShapeNodes = 20_000;

// Tokens other than names and path elements.
const T_NONE = -1;
const T_LEAF = -2;
const T_LIST_MAP = -3;
const T_LIST_SET = -4;
const T_STRUCT = -5;
const T_MAP = -6;
const T_END = -7;
const T_UNDEFINED = -8;
const T_SKIPPED = -9;

function step(shapes: Shapes, at: ShapeNode, token: string | number): ShapeNode {
  let n = at.next.get(token);
  if (n === undefined) {
    n = new ShapeNode();
    at.next.set(token, n);
    shapes.nodes++;
  }
  return n;
}

/** Steps through the shape of one value at a schema position (what put() makes of it). */
function shapeOf(shapes: Shapes, at: ShapeNode, v: unknown, schema: SchemaNode | undefined, field: FieldNode | undefined, strip: Strip | undefined): ShapeNode {
  if (v === undefined || v === null) return step(shapes, at, T_NONE);
  const kind = kindOf(schema, field, v);
  if (kind === LEAF || kind === LIST_ATOMIC || kind === ATOMIC_OBJECT) return step(shapes, at, T_LEAF);
  if (kind === LIST_SET || kind === LIST_MAP) {
    const list = v as unknown[];
    if (list.length === 0) return step(shapes, at, T_LEAF);
    const s = schema as Extract<SchemaNode, { type: 'array' }>;
    const keys = kind === LIST_MAP ? listMapKeys(s, field) : [];
    let n = step(shapes, at, kind === LIST_MAP ? T_LIST_MAP : T_LIST_SET);
    for (let i = 0; i < list.length; i++) {
      n = step(shapes, n, elementKey(itemElement(kind, keys, s.items, i, list[i])));
      n = shapeOf(shapes, n, list[i], s.items, undefined, undefined);
    }
    return step(shapes, n, T_END);
  }
  const o = v as Record<string, unknown>;
  const declared = kind === STRUCT ? declaredFields(schema as Extract<SchemaNode, { type: 'object' }>) : undefined;
  const values = kind === MAP && schema && schema.type === 'map' ? schema.values : undefined;
  let n = step(shapes, at, kind === STRUCT ? T_STRUCT : T_MAP);
  for (const name in o) {
    if (!Object.hasOwn(o, name)) continue;
    n = step(shapes, n, name);
    const child = o[name];
    if (name === strip?.skip) n = step(shapes, n, T_SKIPPED);
    else if (child === undefined) n = step(shapes, n, T_UNDEFINED);
    else {
      const inner = strip?.names.has(name) ? strip.inner?.[name] : undefined;
      const d = declared?.get(name);
      // put()'s `base` follows from the path and the kinds on it, which the shape already says.
      n = d ? shapeOf(shapes, n, child, d.field.schema, d.field, inner) : shapeOf(shapes, n, child, declared ? undefined : values, undefined, inner);
    }
  }
  return step(shapes, n, T_END);
}

/** Freezes a FieldsV1 tree and everything below it, to be shared (a frozen node is taken as frozen throughout). */
export function deepFreeze(t: FieldsV1): FieldsV1 {
  if (Object.isFrozen(t)) return t;
  for (const k in t) deepFreeze(t[k]);
  return Object.freeze(t);
}

/**
 * The fields a create of `obj` owns, as FieldsV1 (deeply frozen, shared by every object of the
 * same shape); undefined when it owns none.
 */
export function createdFieldsV1(obj: KubeObject, schema: SchemaNode | undefined): FieldsV1 | undefined {
  const at: object = schema ?? untyped;
  let shapes = shapesBySchema.get(at);
  if (!shapes || shapes.nodes > maxShapeNodes) {
    shapes = { root: new ShapeNode(), nodes: 0 };
    shapesBySchema.set(at, shapes);
  }
  const end = shapeOf(shapes, shapes.root, obj, schema, undefined, STRIP_ROOT);
  if (end.tree === undefined) {
    const built = buildCreatedFieldsV1(obj, schema);
    end.tree = built ? deepFreeze(built) : null;
  }
  return end.tree ?? undefined;
}

/** True when a create may take the direct path: the client sent no managedFields to keep. */
export function createFastPathApplies(obj: KubeObject): boolean {
  const sent: unknown = obj.metadata?.managedFields;
  if (sent === undefined) return true;
  // An empty list or one empty entry resets managedFields (upstream isResetManagedFields).
  return Array.isArray(sent) && (sent.length === 0 || (sent.length === 1 && isObject(sent[0]) && Object.keys(sent[0]).length === 0));
}

/** The creator's managedFields entry (what updateManagedFields records for a create); undefined if it owns nothing. */
export function createManagedFieldsEntry(obj: KubeObject, schema: SchemaNode | undefined, manager: string, now: string): ManagedFieldsEntry | undefined {
  const fieldsV1 = createdFieldsV1(obj, schema);
  if (!fieldsV1) return undefined;
  const e: ManagedFieldsEntry = {};
  if (manager) e.manager = manager;
  e.operation = 'Update';
  e.apiVersion = obj.apiVersion ?? '';
  if (now) e.time = now;
  e.fieldsType = 'FieldsV1';
  e.fieldsV1 = fieldsV1;
  return e;
}
