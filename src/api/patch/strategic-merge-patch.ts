// Strategic merge patch (application/strategic-merge-patch+json), behaving as the API server's
// k8s.io/apimachinery/pkg/util/strategicpatch StrategicMergeMapPatch does. The schema says, per
// field, whether a list merges (by patchMergeKey for objects, as a set for primitives) or is
// replaced, whether a map is replaced whole, and whether retainKeys applies. Directives:
//   {"$patch": "replace"}            in a map: the map becomes the patch (minus the directive)
//   {"$patch": "delete"}             in a map: the map becomes {}
//   [{"$patch": "replace"}, ...]     in a merging list: the list becomes the other elements
//   [{"name": "x", "$patch": "delete"}]  in a merging list: removes every element named x
//   "$setElementOrder/<list>": [...] the order of the merged list (and of items not patched)
//   "$deleteFromPrimitiveList/<list>": [...]  removes those values from a primitive list
//   "$retainKeys": [...]             drops every key of the map not listed
// "$patch: merge" is rejected, as upstream does. Without schema (CRDs, unknown fields) maps
// merge and lists are replaced.
import type { SchemaNode } from '../schema.js';
import { badRequest } from '../status.js';
import {
  errBadArgType,
  errBadPatchFormatForPrimitiveList,
  errBadPatchFormatForRetainKeys,
  errBadPatchFormatForSetElementOrderList,
  errBadPatchType,
  errNoMergeKey,
  patchError,
} from './errors.js';
import { cloneJson, goFormat, hasKey, isObject, jsonKindWord, type JsonObject } from './json-value.js';
import { lookupSlice, lookupStruct, schemaName } from './smp-meta.js';
import {
  findByMergeKey,
  normalizeElementOrder,
  partitionMaps,
  partitionPrimitives,
  sliceElementKind,
} from './smp-order.js';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

/**
 * Applies a strategic merge patch and returns the new object; `original` and `patch` are not
 * modified. `schema` is the kind's root schema, or undefined for unstructured content.
 * Throws StatusError (400 for malformed patches, 422 where upstream answers 422).
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode | undefined): unknown {
  // A JSON null patch decodes to an empty map upstream: nothing changes.
  if (patch === null || patch === undefined) return cloneJson(original);
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonKindWord(patch)} into Go value of type map[string]interface {}`);
  }
  const doc = original === null || original === undefined ? {} : cloneJson(original);
  if (!isObject(doc)) throw badRequest('invalid JSON document');
  return mergeMap(doc, cloneJson(patch), schema);
}

/** Merges `patch` into `original` (both working copies, mutated) and returns the result. */
function mergeMap(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined): JsonObject {
  if (hasKey(patch, directiveMarker)) return mapDirective(patch[directiveMarker], patch);

  applyRetainKeys(original, patch);
  mergeOrderedLists(original, patch, schema);

  for (const [patchKey, patchV] of Object.entries(patch)) {
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(deleteFromPrimitiveListPrefix)) {
      key = extractKey(patchKey, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }

    // null deletes the key; upstream ignores nulls for keys the original does not have.
    if (patchV === null) {
      delete original[key];
      continue;
    }

    if (!hasKey(original, key) || shapeOf(original[key]) !== shapeOf(patchV)) {
      // A deletion list for a list the object does not have deletes nothing.
      if (!isDeleteList) setPatchValue(original, key, patchV);
      continue;
    }

    const current = original[key];
    if (isObject(current)) {
      const meta = lookupStruct(schema, key);
      original[key] = meta.strategy === 'replace' ? patchV : mergeMap(current, patchV as JsonObject, meta.schema);
    } else if (Array.isArray(current)) {
      const meta = lookupSlice(schema, key);
      original[key] = mergeSliceHandler(current, patchV as unknown[], meta.schema, meta.strategy, meta.mergeKey, isDeleteList);
    } else {
      setPatchValue(original, key, patchV);
    }
  }
  return original;
}

type Shape = 'map' | 'list' | 'scalar';

function shapeOf(v: unknown): Shape {
  if (Array.isArray(v)) return 'list';
  return isObject(v) ? 'map' : 'scalar';
}

/** Takes a value from the patch as is: nulls inside it dropped, elements with $patch removed. */
function setPatchValue(original: JsonObject, key: string, value: unknown): void {
  discardNulls(value);
  const [kept, keep] = removeDirectives(value);
  if (keep) original[key] = kept;
  else delete original[key];
}

function discardNulls(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(discardNulls);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete value[k];
      else discardNulls(v);
    }
  }
}

/** Upstream's removeDirectives: a map carrying $patch is dropped, recursively. */
function removeDirectives(value: unknown): [unknown, boolean] {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value) {
      const [kept, keep] = removeDirectives(v);
      if (keep) out.push(kept);
    }
    return [out, true];
  }
  if (isObject(value)) {
    if (hasKey(value, directiveMarker)) return [undefined, false];
    for (const [k, v] of Object.entries(value)) {
      const [kept, keep] = removeDirectives(v);
      if (keep) value[k] = kept;
      else delete value[k];
    }
  }
  return [value, true];
}

function mapDirective(directive: unknown, patch: JsonObject): JsonObject {
  if (directive === 'replace') {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === 'delete') return {};
  throw errBadPatchType(directive, patch);
}

/** "$setElementOrder/containers" -> "containers"; malformed keys are 400s. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === deleteFromPrimitiveListPrefix ? errBadPatchFormatForPrimitiveList() : errBadPatchFormatForSetElementOrderList();
  }
  return key.slice(slash + 1);
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasKey(patch, retainKeysDirective)) return;
  const retain = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retain)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    // Every key the patch sets must be one of the retained keys.
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) {
    if (!keep.has(k)) delete original[k];
  }
}

/**
 * Handles every "$setElementOrder/<list>" of the patch: merges that list (if the patch has it)
 * and orders the result; the list is then taken out of the patch so it is not merged again.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, schema: SchemaNode | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(setElementOrderPrefix)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    if (!Array.isArray(order)) throw errBadArgType('[]interface {}', order);
    const key = extractKey(directiveKey, setElementOrderPrefix);

    const foundOriginal = hasKey(original, key);
    const foundPatch = hasKey(patch, key);
    const originalList = foundOriginal ? original[key] : [];
    const patchList = foundPatch ? patch[key] : [];
    if (!Array.isArray(originalList)) throw errBadArgType('[]interface {}', originalList);
    if (!Array.isArray(patchList)) throw errBadArgType('[]interface {}', patchList);

    const meta = lookupSlice(schema, key);
    validateAgainstOrder(patchList, order, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList)[0] as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalList, patchList, meta.schema, meta.strategy, meta.mergeKey, false);
    else continue;

    const [inOrder, serverOnly] = meta.mergeKey
      ? partitionMaps(merged, order, meta.mergeKey)
      : partitionPrimitives(merged, order);
    const kind = sliceElementKind(originalList, patchList);
    original[key] = normalizeElementOrder(inOrder, serverOnly, order, originalList, meta.mergeKey, kind);
    delete patch[key];
  }
}

/** The patch list, deletions aside, must appear in the same relative order in $setElementOrder. */
function validateAgainstOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isObject(v)) throw errBadArgType('map[string]interface {}', v);
    items = patchList.filter((v) => (v as JsonObject)[directiveMarker] !== 'delete');
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isObject(items[p]) && hasKey(items[p] as JsonObject, directiveMarker)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length) {
    throw patchError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`);
  }
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isObject(right)) throw errBadArgType('map[string]interface {}', right);
  if (!hasKey(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasKey(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function mergeSliceHandler(
  original: unknown[],
  patch: unknown[],
  elementSchema: SchemaNode | undefined,
  strategy: string,
  mergeKey: string,
  isDeleteList: boolean,
): unknown[] {
  // Deletion lists apply whatever the field's strategy; other lists merge only when tagged.
  if (strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, elementSchema, mergeKey, isDeleteList);
  return patch;
}

function mergeSlice(original: unknown[], patch: unknown[], elementSchema: SchemaNode | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);

  let serverOrder = original;
  let patchItems = patch;
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const remove = new Set(patch);
      return original.filter((v) => !remove.has(v));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw patchError(`cannot merge lists without merge key for ${schemaName(elementSchema)}`);
    [serverOrder, patchItems] = applyListDirectives(original, patch, mergeKey);
    merged = mergeByKey(serverOrder, patchItems, mergeKey, elementSchema);
  }

  const [inPatch, serverOnly] = mergeKey ? partitionMaps(merged, patchItems, mergeKey) : partitionPrimitives(merged, patchItems);
  return normalizeElementOrder(inPatch, serverOnly, patchItems, serverOrder, mergeKey, kind);
}

/**
 * Applies the elements carrying $patch: deletions remove every matching element of the
 * original; a replace marker makes the other elements the whole list. Returns the original to
 * merge into and the patch elements left to merge.
 */
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  let base = original;
  let replace = false;
  const plain: unknown[] = [];
  for (const v of patch) {
    const element = v as JsonObject;
    if (!hasKey(element, directiveMarker)) {
      plain.push(v);
      continue;
    }
    switch (element[directiveMarker]) {
      case 'delete': {
        if (!hasKey(element, mergeKey)) throw errNoMergeKey(element, mergeKey);
        const value = element[mergeKey];
        // Every element with that key goes (duplicates too); findByMergeKey also rejects
        // non-object elements, as upstream does.
        if (findByMergeKey(base, mergeKey, value) >= 0) {
          base = base.filter((o) => !(isObject(o) && hasKey(o, mergeKey) && o[mergeKey] === value));
        }
        break;
      }
      case 'replace':
        replace = true; // keep going: other directive elements are dropped too
        break;
      case 'merge':
        throw patchError('merging lists cannot yet be specified in the patch');
      default:
        throw errBadPatchType(element[directiveMarker], element);
    }
  }
  return replace ? [plain, []] : [base, plain];
}

/** Merges each patch element into the original element with the same merge key, or appends it. */
function mergeByKey(original: unknown[], patch: unknown[], mergeKey: string, elementSchema: SchemaNode | undefined): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const element = v as JsonObject;
    if (!hasKey(element, mergeKey)) throw errNoMergeKey(element, mergeKey);
    const at = findByMergeKey(out, mergeKey, element[mergeKey]);
    if (at >= 0) out[at] = mergeMap(out[at] as JsonObject, element, elementSchema);
    else out.push(v);
  }
  return out;
}
