// What upstream's strict decoding reports for fieldValidation=Strict|Warn: unknown fields,
// duplicate fields, and values of the wrong JSON type. These functions only report, in
// upstream's wording; the API server decides whether a report fails the request (Strict) or
// becomes a Warning header (Warn).
import type { ObjectNode, SchemaNode } from '../schema.js';

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Fields of `obj` the schema does not know, as `unknown field "spec.containers[0].foo"`.
 * Subtrees of unknown shape (AnyNode) and objects with preserve-unknown-fields are not reported;
 * a value of the wrong JSON type is findTypeErrors' business, not this one's.
 */
export function findUnknownFields(obj: unknown, schema: SchemaNode, path = ''): string[] {
  const out: string[] = [];
  walkUnknown(obj, schema, path, out);
  return out;
}

function walkUnknown(v: unknown, s: SchemaNode, path: string, out: string[]): void {
  switch (s.type) {
    case 'object': {
      if (!isPlainObject(v)) return;
      const fields = s.fields();
      for (const [k, child] of Object.entries(v)) {
        const f = Object.hasOwn(fields, k) ? fields[k] : undefined;
        if (f) walkUnknown(child, f.schema, join(path, k), out);
        else if (!s.preserveUnknownFields) out.push(`unknown field "${join(path, k)}"`);
      }
      return;
    }
    case 'array':
      if (Array.isArray(v)) v.forEach((item, i) => walkUnknown(item, s.items, `${path}[${i}]`, out));
      return;
    case 'map':
      if (isPlainObject(v)) for (const [k, child] of Object.entries(v)) walkUnknown(child, s.values, join(path, k), out);
      return;
    default:
      return;
  }
}

// ---------------------------------------------------------------------------------------------
// Type errors, worded like Go's encoding/json UnmarshalTypeError:
//   json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32
// The struct named is the innermost Go struct holding the field; the field path has no indices.

/** Values whose JSON type the schema cannot hold. null is always accepted (Go's zero value). */
export function findTypeErrors(obj: unknown, schema: SchemaNode, path = ''): string[] {
  const out: string[] = [];
  walkTypes(obj, schema, { struct: structName(schema), path: stripIndices(path) }, out);
  return out;
}

interface Ctx { struct: string; path: string }

function walkTypes(v: unknown, s: SchemaNode, ctx: Ctx, out: string[]): void {
  if (v === null || v === undefined || s.type === 'any') return;
  const bad = (): void => {
    const where = ctx.path ? `Go struct field ${ctx.struct}.${ctx.path}` : `Go value`;
    out.push(`json: cannot unmarshal ${jsonType(v)} into ${where} of type ${goType(s)}`);
  };
  switch (s.type) {
    case 'object': {
      if (!isPlainObject(v)) return bad();
      const fields = s.fields();
      const struct = structName(s) || ctx.struct;
      for (const [k, child] of Object.entries(v)) {
        const f = Object.hasOwn(fields, k) ? fields[k] : undefined;
        if (f) walkTypes(child, f.schema, { struct, path: join(ctx.path, k) }, out);
      }
      return;
    }
    case 'array':
      if (!Array.isArray(v)) return bad();
      for (const item of v) walkTypes(item, s.items, ctx, out);
      return;
    case 'map':
      if (!isPlainObject(v)) return bad();
      // Go names map values by the map field alone: no key in the path.
      for (const child of Object.values(v)) walkTypes(child, s.values, ctx, out);
      return;
    case 'string':
      if (s.intOrString) {
        if (typeof v !== 'string' && typeof v !== 'number') bad();
        else if (typeof v === 'number' && s.format === 'int-or-string' && !Number.isInteger(v)) bad();
        return;
      }
      if (typeof v !== 'string') bad();
      return;
    case 'boolean':
      if (typeof v !== 'boolean') bad();
      return;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, s.format)) {
        if (typeof v === 'number') out.push(`json: cannot unmarshal number ${v} into Go struct field ${ctx.struct}.${ctx.path} of type ${goType(s)}`);
        else bad();
      }
      return;
    case 'number':
      if (typeof v !== 'number') bad();
      return;
  }
}

function inRange(n: number, format?: string): boolean {
  if (format === 'int32') return n >= -2147483648 && n <= 2147483647;
  return Number.isSafeInteger(n) || Math.abs(n) < 2 ** 63;
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'object';
  return typeof v; // string, number
}

/** "io.k8s.api.core.v1.ContainerPort" → "ContainerPort". */
function structName(s: SchemaNode): string {
  return s.type === 'object' && s.ref ? s.ref.slice(s.ref.lastIndexOf('.') + 1) : '';
}

function goType(s: SchemaNode): string {
  switch (s.type) {
    case 'object': {
      if (!s.ref) return 'map[string]interface {}';
      const parts = s.ref.split('.');
      return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
    }
    case 'array': return `[]${goType(s.items)}`;
    case 'map': return `map[string]${goType(s.values)}`;
    case 'string':
      if (s.intOrString) return s.format === 'quantity' ? 'resource.Quantity' : 'intstr.IntOrString';
      return 'string';
    case 'boolean': return 'bool';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'number': return 'float64';
    default: return 'interface {}';
  }
}

const stripIndices = (p: string): string => p.replace(/\[\d+\]/g, '');

// ---------------------------------------------------------------------------------------------
// Duplicate keys. JSON.parse keeps the last of duplicate keys silently; upstream's strict
// decoder reports them, so the raw text is scanned once, iteratively (no recursion), with a
// depth cap so hostile nesting costs neither stack nor unbounded memory.

/** Deeper nesting than this stops the scan (upstream's JSON decoder limit is 10000). */
export const MAX_SCAN_DEPTH = 10000;

interface Frame { keys?: Set<string>; path: string; index: number }

/**
 * Duplicate keys within one object of a JSON text, as `duplicate field "metadata.name"`.
 * Assumes the text is otherwise valid JSON (parse errors are the decoder's to report); on
 * malformed input it returns what it found so far.
 */
export function findDuplicateFields(json: string): string[] {
  const out: string[] = [];
  const stack: Frame[] = [];
  let pendingKey: string | undefined; // key whose value comes next, inside the top object
  const n = json.length;
  let i = 0;

  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.keys) return join(top.path, pendingKey ?? '');
    return `${top.path}[${top.index}]`;
  };

  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_SCAN_DEPTH) return out;
      stack.push({ keys: c === 0x7b ? new Set() : undefined, path: childPath(), index: 0 });
      pendingKey = undefined;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      pendingKey = undefined;
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top && !top.keys) top.index++;
      pendingKey = undefined;
      i++;
    } else if (c === 0x22 /* " */) {
      const end = stringEnd(json, i);
      if (end < 0) return out;
      const top = stack[stack.length - 1];
      let j = end + 1;
      while (j < n && isSpace(json.charCodeAt(j))) j++;
      if (top?.keys && pendingKey === undefined && json.charCodeAt(j) === 0x3a /* : */) {
        const key = decodeString(json, i, end);
        if (top.keys.has(key)) out.push(`duplicate field "${join(top.path, key)}"`);
        else top.keys.add(key);
        pendingKey = key;
        i = j + 1;
      } else {
        i = end + 1;
      }
    } else {
      i++;
    }
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index of the closing quote of the string opening at `start`, or -1. */
function stringEnd(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

function decodeString(s: string, start: number, end: number): string {
  const raw = s.slice(start, end + 1);
  if (!raw.includes('\\')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** Convenience for callers holding a kind's schema: unknown fields and type errors together. */
export function findSchemaErrors(obj: unknown, schema: ObjectNode): { unknown: string[]; types: string[] } {
  return { unknown: findUnknownFields(obj, schema), types: findTypeErrors(obj, schema) };
}
