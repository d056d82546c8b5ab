// The three separate walks of a decoded body that src/api/decoded-fields.ts replaced with one:
// time canonicalization, (unknown-field reports: findUnknownFields, still in src) and pruning.
// Kept here as the oracle the one walk is checked against.
import { canonicalTime, type TimeError } from '../../src/api/canonical-time.js';
import type { SchemaNode } from '../../src/api/schema.js';

/** Rewrites every Time/MicroTime in `value` to upstream's serialized form; returns what did not parse. */
export function canonicalizeTimes(value: unknown, schema: SchemaNode | undefined, path = ''): TimeError[] {
  if (!schema || value === null || value === undefined) return [];
  const errors: TimeError[] = [];
  const walk = (v: unknown, s: SchemaNode, p: string, set: (nv: string) => void): void => {
    if (v === null || v === undefined) return;
    switch (s.type) {
      case 'string':
        if (s.timePrecision && typeof v === 'string') {
          const r = canonicalTime(v, s.timePrecision === 'micro');
          if (r.error !== undefined) errors.push({ field: p, value: v, message: r.error });
          else set(r.value);
        }
        return;
      case 'object': {
        if (typeof v !== 'object' || Array.isArray(v)) return;
        const o = v as Record<string, unknown>;
        const fields = s.fields();
        for (const k of Object.keys(o)) {
          const f = fields[k];
          if (f) walk(o[k], f.schema, p ? `${p}.${k}` : k, (nv) => (o[k] = nv));
        }
        return;
      }
      case 'array':
        if (Array.isArray(v)) v.forEach((item, i) => walk(item, s.items, `${p}[${i}]`, (nv) => (v[i] = nv)));
        return;
      case 'map':
        if (typeof v === 'object' && !Array.isArray(v)) {
          const o = v as Record<string, unknown>;
          for (const k of Object.keys(o)) walk(o[k], s.values, `${p}[${k}]`, (nv) => (o[k] = nv));
        }
        return;
      default:
        return;
    }
  };
  walk(value, schema, path, () => {});
  return errors;
}

/** Drops fields a schema does not know (x-kubernetes-preserve-unknown-fields and untyped subtrees kept). */
export function pruneUnknownFields(value: unknown, schema: SchemaNode | undefined): void {
  if (!schema || value === null || typeof value !== 'object') return;
  switch (schema.type) {
    case 'object': {
      if (Array.isArray(value)) return;
      const fields = schema.fields();
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) {
        const field = fields[key];
        if (field) pruneUnknownFields(obj[key], field.schema);
        else if (!schema.preserveUnknownFields && !isTypeMeta(key)) delete obj[key];
      }
      return;
    }
    case 'array':
      if (Array.isArray(value)) for (const item of value) pruneUnknownFields(item, schema.items);
      return;
    case 'map':
      if (!Array.isArray(value)) for (const v of Object.values(value as Record<string, unknown>)) pruneUnknownFields(v, schema.values);
      return;
    default:
      return;
  }
}

function isTypeMeta(key: string): boolean {
  return key === 'apiVersion' || key === 'kind';
}
