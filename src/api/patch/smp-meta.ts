// Patch metadata lookups for strategic merge patch: what a field's patchStrategy and
// patchMergeKey are, and the schema to continue the walk with. Mirrors upstream's
// LookupPatchMeta over Go struct tags: a struct field has its tags; a map's values have none;
// anything unknown (CRD content, fields missing from the schema) has none, which makes maps
// merge and lists replace.
import type { SchemaNode } from '../schema.js';
import { patchError } from './errors.js';

export interface PatchMeta {
  /** Schema of the field's value (for a list: of its elements). */
  schema: SchemaNode | undefined;
  /** merge, replace or '' (no strategy: maps merge, lists replace). */
  strategy: string;
  /** The field has the retainKeys strategy. */
  retainKeys: boolean;
  mergeKey: string;
}

const none: PatchMeta = { schema: undefined, strategy: '', retainKeys: false, mergeKey: '' };

function fieldMeta(schema: SchemaNode | undefined, key: string): { schema: SchemaNode | undefined; strategies: string[]; mergeKey: string } | undefined {
  if (!schema) return undefined;
  if (schema.type === 'object') {
    const field = schema.fields()[key];
    if (!field) return undefined;
    return { schema: field.schema, strategies: field.patchStrategy ?? [], mergeKey: field.patchMergeKey ?? '' };
  }
  if (schema.type === 'map') return { schema: schema.values, strategies: [], mergeKey: '' };
  return undefined;
}

/** Splits the strategies as upstream's extractRetainKeysPatchStrategy does. */
function splitStrategies(strategies: string[]): { strategy: string; retainKeys: boolean } {
  switch (strategies.length) {
    case 0:
      return { strategy: '', retainKeys: false };
    case 1:
      return strategies[0] === 'retainKeys' ? { strategy: '', retainKeys: true } : { strategy: strategies[0], retainKeys: false };
    case 2:
      if (strategies[0] === 'retainKeys') return { strategy: strategies[1], retainKeys: true };
      if (strategies[1] === 'retainKeys') return { strategy: strategies[0], retainKeys: true };
      break;
  }
  throw patchError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

/** Metadata of a field holding a map or struct. */
export function lookupStruct(schema: SchemaNode | undefined, key: string): PatchMeta {
  const meta = fieldMeta(schema, key);
  if (!meta) return none;
  return { schema: meta.schema, mergeKey: meta.mergeKey, ...splitStrategies(meta.strategies) };
}

/** Metadata of a field holding a list; `schema` is that of the list's elements. */
export function lookupSlice(schema: SchemaNode | undefined, key: string): PatchMeta {
  const meta = fieldMeta(schema, key);
  if (!meta) return none;
  const items = meta.schema?.type === 'array' ? meta.schema.items : undefined;
  return { schema: items, mergeKey: meta.mergeKey, ...splitStrategies(meta.strategies) };
}

/** The short type name upstream prints in "cannot merge lists without merge key for X". */
export function schemaName(schema: SchemaNode | undefined): string {
  if (schema?.type === 'object' && schema.ref) return schema.ref.slice(schema.ref.lastIndexOf('.') + 1);
  return schema?.type ?? '';
}
