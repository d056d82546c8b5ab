// Element order of merged lists in strategic merge patch, as upstream decides it (see
// apimachinery strategicpatch normalizeElementOrder / mergeSortedSlice and the design note
// "preserve order in strategic merge patch"): items named by the patch (or by a
// $setElementOrder list) keep the patch's order; items only the server has keep the server's
// order; the two are interleaved using the server's order where both sides know an item, and a
// new item is placed as soon as it comes up.
import { errBadArgType, errNoListOfLists, errNoMergeKey, patchError } from './errors.js';
import { goFormat, isObject, type JsonObject } from './json-value.js';

/** 'map' for lists of objects, otherwise the scalar kind of the elements. */
export type ElementKind = 'map' | 'string' | 'number' | 'boolean' | 'null';

function kindOf(v: unknown): ElementKind | 'list' {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isObject(v)) return 'map';
  return typeof v as 'string' | 'number' | 'boolean';
}

/** The common element kind of the lists; errors as upstream's sliceElementType does. */
export function sliceElementKind(...lists: unknown[][]): ElementKind {
  let kind: ElementKind | 'list' | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (kind === undefined) {
        if (k === 'list') throw errNoListOfLists();
        kind = k;
      } else if (k !== kind) {
        throw patchError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (kind === undefined) throw patchError('no elements in any of the given slices');
  return kind as ElementKind;
}

function keyOf(item: unknown, mergeKey: string, kind: ElementKind): unknown {
  if (kind !== 'map') return item;
  return isObject(item) ? (item[mergeKey] ?? null) : null;
}

/** Position of the item in the list, compared by merge key for maps; -1 when absent. */
export function indexOf(list: unknown[], item: unknown, mergeKey: string, kind: ElementKind): number {
  const wanted = keyOf(item, mergeKey, kind);
  return list.findIndex((v) => keyOf(v, mergeKey, kind) === wanted);
}

/** Finds the element whose merge key equals `value`; every element must be an object. */
export function findByMergeKey(list: unknown[], mergeKey: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isObject(v)) throw patchError(`value for key ${i} is not a map.`);
    if (Object.prototype.hasOwnProperty.call(v, mergeKey) && v[mergeKey] === value) return i;
  }
  return -1;
}

/** Splits primitives into [present in partitionBy, absent]. */
export function partitionPrimitives(list: unknown[], partitionBy: unknown[]): [unknown[], unknown[]] {
  const present = new Set(partitionBy);
  return [list.filter((v) => present.has(v)), list.filter((v) => !present.has(v))];
}

/** Splits objects into [merge key present in partitionBy, absent]. */
export function partitionMaps(list: unknown[], partitionBy: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
    if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findByMergeKey(partitionBy, mergeKey, v[mergeKey]) >= 0 ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isObject(item)) throw errBadArgType('map[string]interface {}', item);
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function isDeleteDirective(item: unknown): boolean {
  return (item as JsonObject)['$patch'] === 'delete';
}

/** Sorts `toSort` by the position of its items in `order` (stable; items with $patch: delete last). */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    toDelete = toSort.filter(isDeleteDirective);
    items = toSort.filter((v) => !isDeleteDirective(v));
  }
  const ranked = items.map((item, i) => ({ item, i, at: indexOf(order, item, mergeKey, kind) }));
  ranked.sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.i - b.i));
  return [...ranked.map((r) => r.item), ...toDelete];
}

/**
 * Merges patch items and server-only items into one list: `patchItems` ordered by `patchOrder`,
 * `serverOnly` by `serverOrder`, then interleaved (upstream's mergeSortedSlice).
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const right = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) {
      out.push(right[j++]);
    } else if (j >= right.length) {
      out.push(left[i++]);
    } else {
      const li = indexOf(serverOrder, left[i], mergeKey, kind);
      const ri = indexOf(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
