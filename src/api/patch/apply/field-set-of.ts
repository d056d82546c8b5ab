// The fields an object sets, as server-side apply counts them for an applied configuration.
import type { SchemaNode } from '../../schema.js';
import type { FieldSet } from './fieldset.js';
import { toFieldSet } from './walk.js';

export function fieldSetOf(obj: unknown, schema: SchemaNode | undefined): FieldSet {
  return toFieldSet(obj, { schema });
}
