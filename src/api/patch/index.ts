// The PATCH algorithms behind one entry point: which patch a Content-Type names, and applying a
// JSON, merge or strategic merge patch to a stored object. Server-side apply lives in ./apply.
import type { KubeObject } from '../object.js';
import type { SchemaNode } from '../schema.js';
import { invalid } from '../status.js';
import { isObject } from './json-value.js';
import { jsonPatch } from './json-patch.js';
import { mergePatch } from './merge-patch.js';
import { strategicMergePatch } from './strategic-merge-patch.js';

export { jsonPatch, maxJSONPatchOperations } from './json-patch.js';
export { mergePatch } from './merge-patch.js';
export { strategicMergePatch } from './strategic-merge-patch.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const byContentType: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** Upstream's patch content types. Parameters (";charset=utf-8") are ignored; apply-patch+cbor is not supported. */
export function patchTypeFromContentType(ct: string): PatchType | undefined {
  const base = ct.split(';')[0].trim().toLowerCase();
  return Object.prototype.hasOwnProperty.call(byContentType, base) ? byContentType[base] : undefined;
}

/**
 * Applies a patch to `original` and returns the patched object; neither input is modified.
 * `schema` matters only to strategic merge patch (undefined: maps merge, lists replace).
 * Throws StatusError: 400 for a malformed patch, 413 for too many JSON patch operations,
 * 422 when the patch does not apply or does not yield an object.
 */
export function applyPatch(
  type: Exclude<PatchType, 'apply'>,
  original: KubeObject,
  patchBody: unknown,
  schema: SchemaNode | undefined,
): KubeObject {
  let result: unknown;
  switch (type) {
    case 'json':
      result = jsonPatch(original, patchBody);
      break;
    case 'merge':
      result = mergePatch(original, patchBody);
      break;
    case 'strategic':
      result = strategicMergePatch(original, patchBody, schema);
      break;
  }
  if (!isObject(result)) {
    // Upstream fails to decode the patched document into the kind and answers 422 on "patch".
    const kindWord = Array.isArray(result) ? 'array' : result === null ? 'null' : typeof result;
    throw invalid('', '', '', [
      {
        type: 'FieldValueInvalid',
        field: 'patch',
        value: JSON.stringify(result ?? null),
        detail: `json: cannot unmarshal ${kindWord} into Go value of type map[string]interface {}`,
      },
    ]);
  }
  return result as KubeObject;
}
