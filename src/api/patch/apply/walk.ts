// The four walks server-side apply makes over typed values: the set of fields a value sets,
// the difference between two values, merging an applied configuration into a live object, and
// removing a set of fields. Each follows the matching walker of structured-merge-diff/typed
// (tofieldset.go, compare.go, merge.go, remove.go), including its edge cases around empty values.
import { boundedMemo } from '../../bounded-memo.js';
import { FieldSet } from './fieldset.js';
import { elementKey, elementString, type Path, type PathElement } from './path.js';
import { childPosition, childTyped, clone, deepEqual, DuplicateKeyError, isEmptyish, isObject, itemElement, shapeOf, type Shape, type Typed } from './typed.js';

type ListShape = Extract<Shape, { kind: 'list' }>;

// ---- to field set ------------------------------------------------------------------------

/** The fields value v sets: its leaves, list items, and map entries (upstream ToFieldSet). */
export function toFieldSet(v: unknown, t: Typed): FieldSet {
  const set = new FieldSet();
  const shape = shapeOf(t, v);
  // The root itself is never a member; only what it contains.
  if (shape.kind === 'list' && shape.relation !== 'atomic' && Array.isArray(v)) collectItems(v, shape, set);
  else if ((shape.kind === 'struct' || shape.kind === 'map') && !shape.atomic && isObject(v)) collectFields(v, shape, set);
  return set;
}

// Builds the set node by node (not path by path from the root): objects can be large.
function collect(v: unknown, t: Typed, parent: FieldSet, pe: PathElement): void {
  const shape = shapeOf(t, v);
  if (shape.kind === 'leaf' || v === null || v === undefined) {
    parent.addMember(pe);
  } else if (shape.kind === 'list') {
    if (shape.relation === 'atomic' || (v as unknown[]).length === 0) parent.addMember(pe);
    else collectItems(v as unknown[], shape, parent.child(pe));
  } else if (shape.atomic || Object.keys(v as object).length === 0) {
    parent.addMember(pe);
  } else {
    collectFields(v as Record<string, unknown>, shape, parent.child(pe));
  }
}

function collectItems(list: unknown[], shape: ListShape, node: FieldSet): void {
  list.forEach((item, i) => {
    const ipe = itemElement(shape, i, item);
    collect(item, shape.item, node, ipe);
    node.addMember(ipe);
  });
}

function collectFields(obj: Record<string, unknown>, shape: Shape, node: FieldSet): void {
  for (const [k, child] of Object.entries(obj)) {
    if (child === undefined) continue;
    const { typed, declared } = childTyped(shape, k);
    const fpe = { field: k };
    collect(child, typed, node, fpe);
    // Map entries and undeclared fields are owned as a whole besides their contents.
    if (!declared) node.addMember(fpe);
  }
}

/** The schema position one element below t (values unknown), or undefined off the schema. */
function step(t: Typed, pe: PathElement): Typed | undefined {
  const shape = shapeOf(t, undefined);
  if ('field' in pe) return shape.kind === 'struct' || shape.kind === 'map' ? childTyped(shape, pe.field).typed : undefined;
  return shape.kind === 'list' ? shape.item : undefined;
}

/** SMD's EnsureNamedFieldsAreMembers: declared struct fields with contents count as members. */
export function withNamedFields(set: FieldSet, root: Typed): FieldSet {
  return set.withNamedFieldsAsMembers<Typed | undefined>(
    root,
    (t, pe) => {
      if (!t || !('field' in pe)) return false;
      const shape = shapeOf(t, undefined);
      return shape.kind === 'struct' && shape.field(pe.field) !== undefined;
    },
    (t, pe) => (t ? step(t, pe) : undefined),
  );
}

// ---- compare -----------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  removed: FieldSet;
  modified: FieldSet;
}

/** What changed from lhs to rhs, path by path (upstream typed.Compare). */
export function compare(lhs: unknown, rhs: unknown, t: Typed): Comparison {
  const w: CompareWalk = { added: new FieldSet(), removed: new FieldSet(), modified: new FieldSet(), path: [], keys: [], depth: 0 };
  compareAt(lhs, rhs, t, w);
  return { added: w.added, removed: w.removed, modified: w.modified };
}

/**
 * The walk's state: the sets, and the current path with its FieldsV1 keys as stacks (only a
 * path that is recorded is copied, into the set's tree).
 */
interface CompareWalk extends Comparison {
  path: PathElement[];
  keys: string[];
  depth: number;
}

function enter(w: CompareWalk, pe: PathElement, key: string): void {
  w.path[w.depth] = pe;
  w.keys[w.depth] = key;
  w.depth++;
}

function record(set: FieldSet, w: CompareWalk): void {
  set.insertKeyed(w.path, w.keys, w.depth);
}

function compareLeaf(lhs: unknown, rhs: unknown, w: CompareWalk): void {
  if (lhs === undefined) record(w.added, w);
  else if (rhs === undefined) record(w.removed, w);
  else if (!deepEqual(lhs, rhs)) record(w.modified, w);
}

// Field path elements and keys, shared: the same few names come up at every write. Bounded,
// since map keys (labels, data) are not.
const fieldElement = boundedMemo(4096, (name): { pe: PathElement; key: string } => ({ pe: { field: name }, key: `f:${name}` }));

const NO_ITEMS: unknown[] = [];

function compareAt(lhs: unknown, rhs: unknown, t: Typed, w: CompareWalk): void {
  // The same value on both sides (a subtree an update shares with the stored object) has no
  // differences: nothing below it needs a visit. (Duplicate list keys are allowed here too.)
  if (lhs === rhs && lhs !== undefined) return;
  const ls = shapeOf(t, lhs);
  const rs = shapeOf(t, rhs);
  // Different kinds on each side (deduced schema, or bad data): the node changed as a whole.
  if (lhs !== undefined && rhs !== undefined && lhs !== null && rhs !== null && ls.kind !== rs.kind) {
    compareLeaf(lhs, rhs, w);
    return;
  }
  const shape = rhs !== undefined && rhs !== null ? rs : ls;
  // Empty or null on both sides is a leaf, which keeps the empty/null distinction.
  if (shape.kind === 'leaf' || (shape.kind === 'list' && shape.relation === 'atomic') || (shape.kind !== 'list' && shape.atomic) || (isEmptyish(lhs) && isEmptyish(rhs))) {
    compareLeaf(lhs, rhs, w);
    return;
  }
  const depth = w.depth;
  if (shape.kind === 'list') {
    const l = indexList(shape, Array.isArray(lhs) ? lhs : NO_ITEMS, true);
    const r = indexList(shape, Array.isArray(rhs) ? rhs : NO_ITEMS, true);
    for (let i = 0; i < l.order.length; i++) {
      const k = l.keys[i];
      enter(w, l.order[i], k);
      compareAt(l.items.get(k), r.items.get(k), shape.item, w);
      w.depth = depth;
    }
    for (let i = 0; i < r.order.length; i++) {
      const k = r.keys[i];
      if (l.items.has(k)) continue;
      enter(w, r.order[i], k);
      compareAt(undefined, r.items.get(k), shape.item, w);
      w.depth = depth;
    }
  } else {
    const lo = isObject(lhs) ? lhs : {};
    const ro = isObject(rhs) ? rhs : {};
    for (const k in lo) visitField(lo[k], ro[k], shape, k, w);
    for (const k in ro) if (!Object.hasOwn(lo, k)) visitField(undefined, ro[k], shape, k, w);
  }
  if (depth > 0) {
    if (lhs === undefined) record(w.added, w);
    else if (rhs === undefined) record(w.removed, w);
  }
}

function visitField(l: unknown, r: unknown, shape: Shape, k: string, w: CompareWalk): void {
  if (l === undefined && r === undefined) return;
  const depth = w.depth;
  const f = fieldElement(k);
  enter(w, f.pe, f.key);
  compareAt(l, r, childPosition(shape, k), w);
  w.depth = depth;
}

/** Items of a granular list by path element; duplicates keep the first unless refused. */
function indexList(shape: ListShape, list: unknown[], allowDuplicates: boolean): { order: PathElement[]; keys: string[]; items: Map<string, unknown> } {
  const order: PathElement[] = [];
  const keys: string[] = [];
  const items = new Map<string, unknown>();
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    const pe = itemElement(shape, i, item);
    const k = elementKey(pe);
    if (items.has(k)) {
      if (!allowDuplicates) throw new DuplicateKeyError(`duplicate entries for key ${elementString(pe)}`);
      continue;
    }
    items.set(k, item);
    order.push(pe);
    keys.push(k);
  }
  return { order, keys, items };
}

// ---- merge -------------------------------------------------------------------------------

/**
 * The applied configuration merged into the live value (upstream typed.Merge): config wins on
 * leaves and atomic nodes, structs and granular maps merge key by key, list-maps by key and sets
 * by value, keeping the config's order for shared items and live-only items near their place.
 */
export function merge(live: unknown, config: unknown, t: Typed, path: Path = []): unknown {
  if (config === undefined) return clone(live);
  if (live === undefined) {
    checkDuplicates(config, t, path);
    return clone(config);
  }
  const ls = shapeOf(t, live);
  const rs = shapeOf(t, config);
  if (ls.kind !== rs.kind && live !== null && config !== null) return clone(config);
  const shape = config !== null ? rs : ls;
  if (shape.kind === 'leaf' || (shape.kind === 'list' && shape.relation === 'atomic') || (shape.kind !== 'list' && shape.atomic) || (isEmptyish(live) && isEmptyish(config))) {
    return clone(config);
  }
  if (shape.kind === 'list') return mergeList(shape, Array.isArray(live) ? live : [], Array.isArray(config) ? config : [], path);
  const lo = isObject(live) ? live : {};
  const ro = isObject(config) ? config : {};
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(lo)) {
    const m = Object.hasOwn(ro, k) ? merge(lo[k], ro[k], childTyped(shape, k).typed, [...path, { field: k }]) : clone(lo[k]);
    if (m !== undefined) out[k] = m;
  }
  for (const k of Object.keys(ro)) {
    if (Object.hasOwn(lo, k) || ro[k] === undefined) continue;
    out[k] = merge(undefined, ro[k], childTyped(shape, k).typed, [...path, { field: k }]);
  }
  return out;
}

function checkDuplicates(v: unknown, t: Typed, path: Path): void {
  const shape = shapeOf(t, v);
  if (shape.kind === 'list' && shape.relation !== 'atomic' && Array.isArray(v)) {
    const { order, items } = indexList(shape, v, false);
    for (const pe of order) checkDuplicates(items.get(elementKey(pe)), shape.item, [...path, pe]);
  } else if ((shape.kind === 'struct' || shape.kind === 'map') && !shape.atomic && isObject(v)) {
    for (const [k, c] of Object.entries(v)) checkDuplicates(c, childTyped(shape, k).typed, [...path, { field: k }]);
  }
}

function mergeList(shape: ListShape, live: unknown[], config: unknown[], path: Path): unknown[] | undefined {
  let r: ReturnType<typeof indexList>;
  try {
    r = indexList(shape, config, false);
  } catch (e) {
    if (e instanceof DuplicateKeyError) throw new DuplicateKeyError(`${pathStringOf(path)}: ${e.message}`);
    throw e;
  }
  // Live duplicates are tolerated: all but the first are dropped from the merge's view.
  const lPEs = live.map((item, i) => itemElement(shape, i, item));
  const lFirst = new Map<string, unknown>();
  lPEs.forEach((pe, i) => {
    const k = elementKey(pe);
    if (!lFirst.has(k)) lFirst.set(k, live[i]);
  });
  const rKeys = r.order.map(elementKey);
  const shared = rKeys.filter((k) => lFirst.has(k));
  let nextShared = shared.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (k: string, pe: PathElement, l: unknown, c: unknown) => {
    const m = merge(l, c, shape.item, [...path, pe]);
    if (m !== undefined) out.push(m);
    mergedR.add(k);
  };
  let lI = 0;
  let rI = 0;
  while (lI < lPEs.length || rI < rKeys.length) {
    if (lI < lPEs.length && rI < rKeys.length) {
      const lk = elementKey(lPEs[lI]);
      if (lk === rKeys[rI]) {
        mergeItem(lk, lPEs[lI], lFirst.get(lk), r.items.get(lk));
        lI++;
        rI++;
        nextShared = shared.shift();
        continue;
      }
      if (r.items.has(lk) && nextShared !== undefined && nextShared !== lk) {
        lI++; // a shared item, but not the one due in this round
        continue;
      }
    }
    if (lI < lPEs.length) {
      const lk = elementKey(lPEs[lI]);
      if (!r.items.has(lk)) {
        out.push(clone(live[lI]));
        lI++;
        continue;
      }
      if (mergedR.has(lk)) {
        lI++;
        continue;
      }
    }
    if (rI < rKeys.length) {
      const rk = rKeys[rI];
      mergeItem(rk, r.order[rI], lFirst.get(rk), r.items.get(rk));
      rI++;
      if (nextShared === rk) nextShared = shared.shift();
    }
  }
  return out;
}

function pathStringOf(path: Path): string {
  return path.map(elementString).join('');
}

// ---- remove ------------------------------------------------------------------------------

/**
 * v without the paths in set (upstream RemoveItems): a member removes the whole node, a child
 * set recurses. Atomic nodes are never entered. A struct, map or list left with nothing is
 * dropped (upstream leaves a null, which typed objects then omit).
 */
export function removeItems(v: unknown, set: FieldSet, t: Typed): unknown {
  const shape = shapeOf(t, v);
  if (shape.kind === 'leaf' || isEmptyish(v)) return v;
  if (shape.kind === 'list') {
    if (shape.relation === 'atomic') return v;
    const out: unknown[] = [];
    (v as unknown[]).forEach((item, i) => {
      const pe = itemElement(shape, i, item);
      if (set.hasMember(pe)) return;
      const sub = set.withPrefix(pe);
      out.push(sub.isEmpty() ? item : removeItems(item, sub, shape.item));
    });
    return out.length > 0 ? out : undefined;
  }
  if (shape.atomic) return v;
  const out: Record<string, unknown> = {};
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    const pe = { field: k };
    if (set.hasMember(pe)) continue;
    const sub = set.withPrefix(pe);
    const kept = sub.isEmpty() ? child : removeItems(child, sub, childTyped(shape, k).typed);
    if (kept !== undefined) out[k] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
