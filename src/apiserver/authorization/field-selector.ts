// What authorizers read from a list or watch's field selector: the name it asks for through
// `metadata.name=NAME`, which upstream's RequestInfo makes the request's name (so a reader allowed
// one object may watch it alone), and whether it is scoped by one field (the Node authorizer's
// `spec.nodeName=<itself>`).

/** The value of a `metadata.name=` or `metadata.name==` requirement, else ''. */
export function nameFromFieldSelector(selector: string | null | undefined): string {
  if (!selector || !selector.includes('metadata.name')) return '';
  for (const term of selector.split(',')) {
    const t = term.trim();
    const m = /^metadata\.name\s*(==|=)\s*(.*)$/.exec(t);
    if (m && !m[2].startsWith('=')) return m[2].trim();
  }
  return '';
}

/** Whether the selector requires `field=value` with the single "=" operator (upstream's selection.Equals). */
export function selectsEqual(selector: string | undefined, field: string, value: string): boolean {
  if (!selector) return false;
  for (const term of selector.split(',')) {
    const t = term.trim();
    const eq = t.indexOf('=');
    if (eq <= 0 || t[eq - 1] === '!' || t[eq + 1] === '=') continue;
    if (t.slice(0, eq).trim() === field && t.slice(eq + 1).trim() === value) return true;
  }
  return false;
}
