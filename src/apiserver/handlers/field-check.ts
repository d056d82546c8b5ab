// fieldValidation=Strict|Warn|Ignore: unknown and duplicate fields are refused (Strict), reported
// as warnings (Warn, the default) or ignored; either way they are pruned before storage.
import type { KubeObject } from '../../api/object.js';
import { pruneUnknownFields } from '../../api/prune.js';
import { canonicalizeTimes } from '../../api/canonical-time.js';
import { badRequest } from '../../api/status.js';
import { findDuplicateFields, findUnknownFields } from '../../api/openapi/field-validation.js';
import type { RequestContext } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { FieldValidation } from './request-context.js';

export function checkFields(entry: ResourceEntry, obj: KubeObject, jsonText: string | undefined, mode: FieldValidation, ctx: RequestContext): void {
  const schema = entry.schema();
  const timeErrors = canonicalizeTimes(obj, schema);
  if (timeErrors.length) {
    const t = entry.type;
    const e = timeErrors[0];
    throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${e.field}: ${e.message}`);
  }
  if (mode !== 'Ignore') {
    const problems: string[] = [];
    if (jsonText) problems.push(...findDuplicateFields(jsonText));
    if (schema) problems.push(...findUnknownFields(obj, schema));
    if (problems.length) {
      if (mode === 'Strict') throw badRequest(`strict decoding error: ${problems.join(', ')}`);
      ctx.warnings.push(...problems);
    }
  }
  pruneUnknownFields(obj, schema);
}
