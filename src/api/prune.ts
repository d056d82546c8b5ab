// Drops fields a schema does not know, as decoding into upstream's Go structs (or CRD pruning)
// does, so unknown fields are never stored. Subtrees with x-kubernetes-preserve-unknown-fields
// and untyped nodes are kept as sent.
import type { SchemaNode } from './schema.js';

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
