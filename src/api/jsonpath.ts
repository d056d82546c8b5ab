// JSONPath as client-go's k8s.io/client-go/util/jsonpath reads it, for CRD printer columns: the
// apiextensions server wraps a column's jsonPath in `{...}`, parses it once, and evaluates it with
// AllowMissingKeys(true) against each custom resource. Parsing and evaluation live in jsonpath/;
// this file is the entry point, with a small cache because the same few paths come up on every
// table request.
import { boundedMemo } from './bounded-memo.js';
import { findResults, GoFloat } from './jsonpath/evaluate.js';
import type { ParsedPath } from './jsonpath/nodes.js';
import { parseTemplate } from './jsonpath/parser.js';

export type { ParsedPath } from './jsonpath/nodes.js';
export { JSONPathError } from './jsonpath/evaluate.js';
export { jsonPathValueText } from './jsonpath/text.js';

// Paths come from CRDs (a handful per cluster); a client cannot grow this past its bound.
const parsedPaths = boundedMemo(256, (path: string): ParsedPath => ({ ...parseTemplate(`{${path}}`), source: path }));

/**
 * Parses a CRD-style path (".status.replicas", written without braces) as upstream does with
 * `{path}`. Throws an Error whose message is client-go's ("unterminated array", "invalid array
 * index x", "unrecognized character in action: U+0028 '('", ...).
 */
export function parseJSONPath(path: string): ParsedPath {
  return parsedPaths(path);
}

/** Parses a whole template as `kubectl -o jsonpath=...` takes it: text with `{...}` actions. */
export function parseJSONPathTemplate(template: string): ParsedPath {
  return parseTemplate(template);
}

export interface FindOptions {
  /** A missing field yields nothing instead of an error (upstream's AllowMissingKeys); default true. */
  allowMissingKeys?: boolean;
}

/**
 * client-go's FindResults: the values of each top-level part of the template, in order. Throws
 * JSONPathError where client-go returns an error (index out of range, filter on a non-list, ...).
 */
export function findJSONPathResults(obj: unknown, path: string | ParsedPath, opts: FindOptions = {}): unknown[][] {
  const parsed = typeof path === 'string' ? parseJSONPath(path) : path;
  return findResults(obj, parsed.nodes, opts.allowMissingKeys ?? true).map((values) => values.map(plain));
}

/**
 * All values a CRD path selects in `obj`, [] when it selects nothing, does not parse, or fails to
 * evaluate — the tableconvertor shows an empty cell in all three cases. As there, only the first
 * `{...}` part counts. Fits printers/crd.ts's JSONPathEvaluator.
 */
export function evaluateJSONPath(obj: unknown, path: string | ParsedPath): unknown[] {
  try {
    return findJSONPathResults(obj, path)[0] ?? [];
  } catch {
    return [];
  }
}

/** Float literals of the path (`{1.5}`) come back as plain numbers. */
const plain = (v: unknown) => (v instanceof GoFloat ? v.value : v);
