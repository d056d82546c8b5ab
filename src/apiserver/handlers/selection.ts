// labelSelector and fieldSelector query parameters, turned into one object filter.
import type { StoredObject } from '../../api/object.js';
import { badRequest, isStatusError } from '../../api/status.js';
import { matchesLabels, parseLabelSelector, isEverything } from '../../api/selectors/labels.js';
import { fieldSelectorPredicate, parseFieldSelector, type FieldSelector } from '../../api/selectors/fields.js';
import { fieldGetter, isSupportedField } from '../../api/selectors/field-attrs.js';
import type { ResourceEntry } from '../registry/resource-entry.js';

export interface Selection {
  filter?: (obj: StoredObject) => boolean;
  /** No selector at all: every object matches. */
  everything: boolean;
}

export function selectionFromQuery(entry: ResourceEntry, query: URLSearchParams, extra?: FieldSelector): Selection {
  const labelText = query.get('labelSelector') ?? '';
  const fieldText = query.get('fieldSelector') ?? '';
  const labels = wrap(() => parseLabelSelector(labelText), 'labelSelector');
  const fields = [...wrap(() => parseFieldSelector(fieldText), 'fieldSelector'), ...(extra ?? [])];
  const { group, kind } = entry.type;
  for (const req of fields) {
    if (!isSupportedField(group, kind, req.field) && !entry.selectableFields?.[req.field]) throw badRequest(`field label not supported: ${req.field}`);
  }
  const noLabels = isEverything(labels);
  if (noLabels && fields.length === 0) return { everything: true };
  const fieldsMatch = fieldSelectorPredicate(fields, (field) => entry.selectableFields?.[field] ?? fieldGetter(group, kind, field));
  return {
    everything: false,
    filter: (obj) => (noLabels || matchesLabels(labels, obj.metadata.labels)) && fieldsMatch(obj),
  };
}

function wrap<T>(fn: () => T, param: string): T {
  try {
    return fn();
  } catch (err) {
    if (isStatusError(err)) throw err;
    throw badRequest(`unable to parse requirement: ${param}: ${(err as Error).message}`);
  }
}
