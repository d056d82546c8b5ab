// The name checks label selectors need (apimachinery's util/validation, with upstream's exact
// messages) live with the other validators; this module adds only how field.Error prints values.
export { emptyError, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, maxLenError, regexError } from '../validation/names.js';

/** How field.Error prints a bad value: strings quoted, string lists as Go's %#v. */
export function goValue(v: string | string[]): string {
  if (typeof v === 'string') return JSON.stringify(v);
  return `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** field.Invalid(path, value, detail).Error(). A missing path prints as Go's nil path: "<nil>". */
export function invalidMessage(path: string | undefined, value: string | string[], detail: string): string {
  return `${path ?? '<nil>'}: Invalid value: ${goValue(value)}${detail ? `: ${detail}` : ''}`;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several as "[a, b]" (duplicates dropped). */
export function aggregateMessage(messages: string[]): string {
  const seen = [...new Set(messages)];
  if (seen.length === 1) return seen[0];
  return `[${seen.join(', ')}]`;
}
