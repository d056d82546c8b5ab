// RFC 7386 JSON merge patch (application/merge-patch+json), with the behaviour of the library
// the API server uses (evanphx/json-patch MergePatch): null deletes a key, objects merge
// recursively, anything else (arrays included) replaces. Like upstream, nulls inside a value
// that is added or replaces a non-object are pruned, also from arrays.
import { badRequest } from '../status.js';
import { cloneJson, hasKey, isObject, type JsonObject } from './json-value.js';

/**
 * Applies `patch` to `original` and returns the result; neither input is modified.
 * A null or scalar patch is rejected with 400 "Invalid JSON Patch", as upstream does; an array
 * patch becomes the document (the caller rejects a non-object result).
 */
export function mergePatch(original: unknown, patch: unknown): unknown {
  if (patch === null || patch === undefined || (typeof patch !== 'object')) {
    throw badRequest('Invalid JSON Patch');
  }
  const patchCopy = cloneJson(patch) as JsonObject | unknown[];
  if (Array.isArray(patchCopy) || !isObject(original)) {
    // Upstream: "not a doc, so we turn straight into the patch".
    return pruneNulls(patchCopy);
  }
  const doc = cloneJson(original);
  mergeInto(doc, patchCopy);
  return doc;
}

function mergeInto(doc: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete doc[key];
    } else if (!hasKey(doc, key)) {
      doc[key] = pruneNulls(value);
    } else {
      doc[key] = mergeValue(doc[key], value);
    }
  }
}

function mergeValue(current: unknown, patch: unknown): unknown {
  if (!isObject(current)) return pruneNulls(patch);
  // An object replaced by a non-object keeps the value as sent (upstream does not prune here).
  if (!isObject(patch)) return patch;
  mergeInto(current, patch);
  return current;
}

/** Removes null members of objects and null elements of arrays, recursively. */
function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(pruneNulls);
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete value[k];
      else value[k] = pruneNulls(v);
    }
  }
  return value;
}
