// client-go's JSONPath evaluation (k8s.io/client-go/util/jsonpath/jsonpath.go) over plain JSON, with
// its error cases: an index out of range, a filter on a non-list, comparing a number with a
// string. Like the Go code, a failing step hands back the values it was given along with the
// error, which an existence filter (`[?(@.x[5])]`) counts as "found".
import type { ListNode, Node, SliceParam } from './nodes.js';

/** A float literal of the path (`1.0`): Go compares it only with floats, never with an int. */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** An evaluation error, carrying what the failing step returned with it. */
export class JSONPathError extends Error {
  constructor(message: string, readonly partial: unknown[]) {
    super(message);
  }
}

interface State {
  allowMissingKeys: boolean;
  beginRange: number;
  inRange: number;
  endRange: number;
  lastEndNode: Node | undefined;
}

/** FindResults: one list of values per top-level node (text or action) of the template. */
export function findResults(data: unknown, nodes: readonly Node[], allowMissingKeys: boolean): unknown[][] {
  const state: State = { allowMissingKeys, beginRange: 0, inRange: 0, endRange: 0, lastEndNode: undefined };
  return find(state, data, nodes);
}

function find(s: State, data: unknown, nodes: readonly Node[]): unknown[][] {
  const full: unknown[][] = [];
  for (let i = 0; i < nodes.length; i++) {
    const results = walk(s, [data], nodes[i]);
    // {end}: close the innermost {range}.
    if (s.endRange > 0 && s.endRange <= s.inRange) {
      s.endRange--;
      s.lastEndNode = nodes[i];
      break;
    }
    // {range ...}: the rest of the template once per value, then resume after its {end}.
    if (s.beginRange > 0) {
      s.beginRange--;
      s.inRange++;
      const rest = nodes.slice(i + 1);
      if (results.length > 0) for (const v of results) full.push(...find(s, v, rest));
      else find(s, null, rest);
      s.inRange--;
      for (let k = i + 1; k < nodes.length; k++) {
        if (nodes[k] === s.lastEndNode) {
          i = k;
          break;
        }
      }
      continue;
    }
    full.push(results);
  }
  return full;
}

function walk(s: State, input: unknown[], node: Node): unknown[] {
  switch (node.kind) {
    case 'list':
      return evalList(s, input, node);
    case 'text':
      return [node.text];
    case 'field':
      return evalField(s, input, node.name);
    case 'array':
      return evalArray(input, node.params);
    case 'filter':
      return evalFilter(s, input, node);
    case 'int':
    case 'bool':
      return input.map(() => node.value);
    case 'float':
      return input.map(() => new GoFloat(node.value));
    case 'wildcard':
      return input.flatMap((v) => children(v) ?? []);
    case 'recursive':
      return evalRecursive(input);
    case 'union':
      return evalUnion(s, input, node.branches);
    case 'identifier':
      return evalIdentifier(s, input, node.name);
  }
}

function evalList(s: State, input: unknown[], list: ListNode): unknown[] {
  let cur = input;
  for (const node of list.nodes) cur = walk(s, cur, node);
  return cur;
}

function evalIdentifier(s: State, input: unknown[], name: string): unknown[] {
  if (name === 'range') {
    s.beginRange++;
    return input;
  }
  if (name === 'end') {
    if (s.inRange > 0) {
      s.endRange++;
      return [];
    }
    throw new JSONPathError('not in range, nothing to end', []);
  }
  throw new JSONPathError(`unrecognized identifier ${name}`, input);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);

function evalField(s: State, input: unknown[], name: string): unknown[] {
  const results: unknown[] = [];
  for (const v of input) {
    if (isMap(v) && Object.hasOwn(v, name)) results.push(v[name]);
  }
  if (results.length === 0 && input.length > 0 && !s.allowMissingKeys) throw new JSONPathError(`${name} is not found`, []);
  return results;
}

function evalArray(input: unknown[], params: readonly [SliceParam, SliceParam, SliceParam]): unknown[] {
  const result: unknown[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) throw new JSONPathError(`${goTypeName(value)} is not array or slice`, input);
    const len = value.length;
    let start = params[0].known ? params[0].value : 0;
    if (start < 0) start += len;
    let end = params[1].known ? params[1].value : len;
    if (end < 0 || (end === 0 && params[1].derived)) end += len;
    if (end === start) return result; // zero elements asked for: Go returns here, skipping later inputs
    if (start >= len || start < 0) throw new JSONPathError(`array index out of bounds: index ${start}, length ${len}`, input);
    if (end > len || end < 0) throw new JSONPathError(`array index out of bounds: index ${end - 1}, length ${len}`, input);
    if (start > end) throw new JSONPathError(`starting index ${start} is greater than ending index ${end}`, input);
    let step = 1;
    if (params[2].known) {
      if (params[2].value <= 0) throw new JSONPathError('step must be > 0', input);
      step = params[2].value;
    }
    for (let i = start; i < end; i += step) result.push(value[i]);
  }
  return result;
}

function evalUnion(s: State, input: unknown[], branches: ListNode[]): unknown[] {
  const result: unknown[] = [];
  for (const branch of branches) {
    try {
      result.push(...evalList(s, input, branch));
    } catch (err) {
      throw new JSONPathError((err as Error).message, input);
    }
  }
  return result;
}

/** The values a wildcard or `..` steps into (a string's UTF-8 bytes, as Go indexes strings), or undefined for a leaf. */
function children(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return Object.values(v);
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
  return undefined;
}

/** `..`: every value that has children, itself first, depth first. */
function evalRecursive(input: unknown[]): unknown[] {
  const result: unknown[] = [];
  for (const v of input) {
    const kids = children(v);
    if (kids && kids.length > 0) {
      result.push(v);
      result.push(...evalRecursive(kids));
    }
  }
  return result;
}

function evalFilter(s: State, input: unknown[], node: Node & { kind: 'filter' }): unknown[] {
  const results: unknown[] = [];
  for (const value of input) {
    if (!Array.isArray(value)) throw new JSONPathError(`${goValueText(value)} is not array or slice and cannot be filtered`, input);
    for (const item of value) {
      if (node.operator === 'exists') {
        let lefts: unknown[];
        try {
          lefts = evalList(s, [item], node.left);
        } catch (err) {
          lefts = err instanceof JSONPathError ? err.partial : [];
        }
        if (lefts.length > 0) results.push(item);
        continue;
      }
      const left = single(s, item, node.left, input);
      if (left === skip) continue;
      const right = single(s, item, node.right, input);
      if (right === skip) continue;
      let pass: boolean;
      try {
        pass = compare(node.operator, left, right);
      } catch (err) {
        throw new JSONPathError((err as Error).message, results);
      }
      if (pass) results.push(item);
    }
  }
  return results;
}

const skip = Symbol('skip');

/** One side of a comparison: its only value, `skip` when it has none. */
function single(s: State, item: unknown, side: ListNode, input: unknown[]): unknown {
  let values: unknown[];
  try {
    values = evalList(s, [item], side);
  } catch (err) {
    throw new JSONPathError((err as Error).message, input);
  }
  if (values.length === 0) return skip;
  if (values.length > 1) throw new JSONPathError('can only compare one element at a time', input);
  return values[0];
}

type Kind = 'bool' | 'int' | 'float' | 'string';

/** text/template's basicKind: JSON integers are Go int64s, other numbers float64s. */
function basicKind(v: unknown): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'number') return isGoInt(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  throw new Error('invalid type for comparison');
}

export function isGoInt(n: number): boolean {
  return Number.isInteger(n) && Math.abs(n) < 2 ** 63;
}

const num = (v: unknown) => (v instanceof GoFloat ? v.value : (v as number));

function equal(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  if (ka !== basicKind(b)) throw new Error('incompatible types for comparison');
  if (ka === 'int' || ka === 'float') return num(a) === num(b);
  return a === b;
}

function less(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'bool') throw new Error('invalid type for comparison');
  // Go compares strings byte by byte, in UTF-8.
  if (ka === 'string') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)) < 0;
  return num(a) < num(b);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '<':
      return less(a, b);
    case '>':
      return !(less(a, b) || equal(a, b));
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case '<=':
      return less(a, b) || equal(a, b);
    case '>=':
      return !less(a, b);
    default:
      throw new Error(`unrecognized filter operator ${op}`);
  }
}

function goTypeName(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isGoInt(v) ? 'int64' : 'float64';
  if (v instanceof GoFloat) return 'float64';
  return 'map[string]interface {}';
}

function goValueText(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (v instanceof GoFloat) return String(v.value);
  return typeof v === 'object' ? goTypeName(v) : String(v);
}
