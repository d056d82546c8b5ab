// fieldValidation=Strict|Warn|Ignore: unknown and duplicate fields are refused (Strict), reported
// as warnings (Warn, the default) or ignored; either way they are pruned before storage.
import type { KubeObject } from '../../api/object.js';
import { normalizeDecodedFields } from '../../api/decoded-fields.js';
import { badRequest } from '../../api/status.js';
import { findDuplicateFields, findTypeErrors } from '../../api/openapi/field-validation.js';
import type { RequestContext } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { FieldValidation } from './request-context.js';

export function checkFields(entry: ResourceEntry, obj: KubeObject, jsonText: string | undefined, mode: FieldValidation, ctx: RequestContext): void {
  // Times canonicalized, unknown fields found and pruned in one walk; a time that does not
  // parse is a decode error and wins over everything else.
  const schema = entry.schema();
  const { timeError, unknown, typeMismatch } = normalizeDecodedFields(obj, schema, mode !== 'Ignore');
  const t = entry.type;
  if (timeError) {
    throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${timeError.field}: ${timeError.message}`);
  }
  // A value of the wrong JSON type does not decode into the Go type: the request fails whatever
  // fieldValidation says. (A custom resource's schema validation reports it instead, as upstream.)
  if (typeMismatch && schema && !entry.custom) {
    const [first] = findTypeErrors(obj, schema);
    if (first) throw badRequest(`${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: ${first}`);
  }
  if (mode !== 'Ignore' && (jsonText || unknown.length)) {
    const problems: string[] = [];
    if (jsonText) problems.push(...findDuplicateFields(jsonText));
    problems.push(...unknown);
    if (problems.length) {
      if (mode === 'Strict') throw badRequest(`strict decoding error: ${problems.join(', ')}`);
      ctx.warnings.push(...problems);
    }
  }
}
