// RFC 6902 JSON patch (application/json-patch+json). The operations themselves are done by
// fast-json-patch; this wrapper gives the API server's answers around it
// (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
// - a body that does not decode as a list of operation objects: 400 with Go's decode message;
// - more than 10000 operations: 413;
// - any operation that fails (a failed test, a missing path, an unknown op): 422 Invalid with
//   the generic "the server rejected our request due to an error in our request" message;
// - a JSON null body is an empty patch.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { badRequest, tooLarge } from '../status.js';
import { patchNotApplicable } from './errors.js';
import { cloneJson, isObject, jsonKindWord } from './json-value.js';

const rfcOps = new Set<unknown>(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Upstream's cap on the number of operations in one JSON patch. */
export const maxJSONPatchOperations = 10000;

/** Applies a JSON patch to `original` and returns the result; neither input is modified. */
export function jsonPatch(original: unknown, patchBody: unknown): unknown {
  const ops = decodeOperations(patchBody);
  if (ops.length > maxJSONPatchOperations) {
    throw tooLarge(`Request entity too large: The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${ops.length}`);
  }
  // Clone both: fast-json-patch inserts operation values by reference, and later operations
  // may then mutate them.
  const doc = cloneJson(original);
  const operations = cloneJson(ops) as Operation[];
  // fast-json-patch also knows an internal "_get" op; upstream knows only RFC 6902's six.
  const unknown = operations.find((op) => !rfcOps.has((op as { op?: unknown } | null)?.op));
  if (unknown !== undefined) throw patchNotApplicable(`Unexpected kind: ${String((unknown as { op?: unknown } | null)?.op ?? 'unknown')}`);
  try {
    return jsonpatch.applyPatch(doc, operations, true, true, true).newDocument;
  } catch (err) {
    throw patchNotApplicable(describe(err));
  }
}

function decodeOperations(body: unknown): unknown[] {
  if (body === null || body === undefined) return [];
  if (!Array.isArray(body)) {
    throw badRequest(`json: cannot unmarshal ${jsonKindWord(body)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of body) {
    if (op !== null && !isObject(op)) {
      throw badRequest(`json: cannot unmarshal ${jsonKindWord(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  return body;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const op = (err as { operation?: unknown }).operation;
    return op === undefined ? err.message : `${err.message}: ${JSON.stringify(op)}`;
  }
  return String(err);
}
