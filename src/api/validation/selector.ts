// metav1.LabelSelector: validation (ValidateLabelSelector) and matching (LabelSelectorAsSelector
// then Matches). A nil selector matches nothing; an empty one matches everything.
import { asArray, asObject, asString, child, each, forbidden, index, invalid, required, type Errors } from './field.js';
import { isValidLabelValue } from './names.js';
import { validateLabelName, validateLabels } from './objectmeta.js';

export function validateLabelSelector(selector: unknown, field: string): Errors {
  if (selector === undefined || selector === null) return [];
  const s = asObject(selector);
  const errs: Errors = [...validateLabels(s.matchLabels, child(field, 'matchLabels'))];
  asArray(s.matchExpressions).forEach((raw, i) => {
    const r = asObject(raw);
    const path = index(child(field, 'matchExpressions'), i);
    const values = asArray(r.values).map(asString);
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(path, 'operator'), r.operator ?? '', 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(asString(r.key), child(path, 'key')));
    values.forEach((v, j) => errs.push(...each(index(child(path, 'values'), j), v, isValidLabelValue(v))));
  });
  return errs;
}

export const isEmptySelector = (selector: unknown) => {
  const s = asObject(selector);
  return Object.keys(asObject(s.matchLabels)).length + asArray(s.matchExpressions).length === 0;
};

/** Whether the labels satisfy the selector; undefined/null selects nothing. */
export function selectorMatches(selector: unknown, labels: Record<string, string> | undefined): boolean {
  if (selector === undefined || selector === null) return false;
  const s = asObject(selector);
  const l = labels ?? {};
  for (const [k, v] of Object.entries(asObject(s.matchLabels))) if (l[k] !== v) return false;
  for (const raw of asArray(s.matchExpressions)) {
    const r = asObject(raw);
    const k = asString(r.key);
    const values = asArray(r.values).map(asString);
    const has = Object.prototype.hasOwnProperty.call(l, k);
    switch (r.operator) {
      case 'In':
        if (!has || !values.includes(l[k])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[k])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
