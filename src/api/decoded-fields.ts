// One walk over a decoded object for what decoding into upstream's Go types does to it: Time and
// MicroTime values rewritten to their canonical form (canonical-time.ts), unknown fields found
// (as openapi/field-validation.ts findUnknownFields reports them) and dropped. Three walks did
// this before, one each over every write's body; this visits each node once and builds a field
// path only for a value that is reported. test/api/decoded-fields.test.ts checks it against
// those three walks (kept in test/api/separate-walks.ts).
import { canonicalTime, type TimeError } from './canonical-time.js';
import type { SchemaNode } from './schema.js';

export interface DecodedFieldsResult {
  /** The first Time/MicroTime that did not parse (the decode error upstream reports). */
  timeError?: TimeError;
  /** `unknown field "spec.foo"` for each unknown field, when asked for. */
  unknown: string[];
  /**
   * Some value has a JSON type its schema cannot hold (a bool where a string goes): decoding into
   * the Go type fails upstream. Only detected here; openapi/field-validation.ts findTypeErrors
   * words the error.
   */
  typeMismatch: boolean;
}

/** Whether a non-null scalar JSON value fits a schema node, as Go's decoder would take it. */
function scalarFits(v: unknown, s: SchemaNode): boolean {
  switch (s.type) {
    case 'string':
      return typeof v === 'string' || (s.intOrString === true && typeof v === 'number');
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number';
    case 'any':
      return true;
    default:
      return false;
  }
}

// Path segments on a stack, formatted only for a report. Time errors name map entries as
// `labels[key]`, unknown-field reports as `labels.key` (as the separate walks did).
const FIELD = 0;
const INDEX = 1;
const MAP_KEY = 2;

class Walk {
  readonly segs: (string | number)[] = [];
  readonly kinds: number[] = [];
  timeError: TimeError | undefined;
  readonly unknown: string[] = [];
  typeMismatch = false;

  constructor(
    private readonly root: string,
    private readonly report: boolean,
  ) {}

  private path(extra: string | undefined, forTimes: boolean): string {
    let p = this.root;
    const n = this.segs.length;
    for (let i = 0; i <= n; i++) {
      const kind = i < n ? this.kinds[i] : FIELD;
      const seg = i < n ? this.segs[i] : extra;
      if (seg === undefined) break;
      if (kind === INDEX || (kind === MAP_KEY && forTimes)) p += `[${seg}]`;
      else p = p ? `${p}.${seg}` : String(seg);
    }
    return p;
  }

  /**
   * `holder[slot]` is where v is (a list item or map value), for a time to be rewritten in place;
   * no holder: v is the root or a struct field (struct fields' times are leaves, see leafTime).
   * A holder and slot instead of a setter closure: no closure per list item and map entry.
   */
  visit(v: unknown, s: SchemaNode, holder: Record<string | number, unknown> | undefined, slot: string | number): void {
    if (v === null || v === undefined) return;
    switch (s.type) {
      case 'string':
        if (typeof v !== 'string' && !scalarFits(v, s)) this.typeMismatch = true;
        else if (s.timePrecision && typeof v === 'string' && holder) {
          const r = canonicalTime(v, s.timePrecision === 'micro');
          if (r.error !== undefined) this.timeError ??= { field: this.path(undefined, true), value: v, message: r.error };
          else holder[slot] = r.value;
        }
        return;
      case 'object': {
        if (typeof v !== 'object' || Array.isArray(v)) {
          this.typeMismatch = true;
          return;
        }
        const o = v as Record<string, unknown>;
        const fields = s.fields();
        // for-in rather than Object.keys: no key array per object (a deletion below only ever
        // removes the key being visited, which for-in allows).
        for (const k in o) {
          if (!Object.hasOwn(o, k)) continue;
          const f = Object.hasOwn(fields, k) ? fields[k] : undefined;
          if (f) {
            const child = o[k];
            if (child === null || typeof child !== 'object') {
              // Leaves: a time string is made canonical; any other value only has its type checked.
              if (typeof child === 'string' && f.schema.type === 'string') {
                if (f.schema.timePrecision) this.leafTime(o, k, child, f.schema.timePrecision);
              } else if (child !== null && !scalarFits(child, f.schema)) {
                this.typeMismatch = true;
              }
              continue;
            }
            this.segs.push(k);
            this.kinds.push(FIELD);
            this.visit(child, f.schema, undefined, k);
            this.segs.pop();
            this.kinds.pop();
          } else if (!s.preserveUnknownFields) {
            if (this.report) this.unknown.push(`unknown field "${this.path(k, false)}"`);
            if (k !== 'apiVersion' && k !== 'kind') delete o[k];
          }
        }
        return;
      }
      case 'array':
        if (!Array.isArray(v)) {
          this.typeMismatch = true;
          return;
        }
        for (let i = 0; i < v.length; i++) {
          this.segs.push(i);
          this.kinds.push(INDEX);
          this.visit(v[i], s.items, v as unknown[] as Record<number, unknown>, i);
          this.segs.pop();
          this.kinds.pop();
        }
        return;
      case 'map': {
        if (typeof v !== 'object' || Array.isArray(v)) {
          this.typeMismatch = true;
          return;
        }
        const o = v as Record<string, unknown>;
        for (const k in o) {
          if (!Object.hasOwn(o, k)) continue;
          this.segs.push(k);
          this.kinds.push(MAP_KEY);
          this.visit(o[k], s.values, o, k);
          this.segs.pop();
          this.kinds.pop();
        }
        return;
      }
      default:
        if (!scalarFits(v, s)) this.typeMismatch = true;
        return;
    }
  }

  private leafTime(o: Record<string, unknown>, k: string, value: string, precision: 'seconds' | 'micro'): void {
    const r = canonicalTime(value, precision === 'micro');
    if (r.error !== undefined) this.timeError ??= { field: this.path(k, true), value, message: r.error };
    else o[k] = r.value;
  }
}

/**
 * Canonicalizes times, reports unknown fields (if `reportUnknown`) and prunes them, in place.
 * `value` is a decoded request body (or a patched object) of the kind `schema` describes.
 */
export function normalizeDecodedFields(value: unknown, schema: SchemaNode | undefined, reportUnknown: boolean, path = ''): DecodedFieldsResult {
  if (!schema || value === null || value === undefined) return { unknown: [], typeMismatch: false };
  const w = new Walk(path, reportUnknown);
  w.visit(value, schema, undefined, '');
  return { timeError: w.timeError, unknown: w.unknown, typeMismatch: w.typeMismatch };
}
