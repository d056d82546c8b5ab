// The name a list or watch asks for through `fieldSelector=metadata.name=NAME`, which upstream's
// RequestInfo makes the request's name, so that a reader allowed one object may watch it alone.

/** The value of a `metadata.name=` or `metadata.name==` requirement, else ''. */
export function nameFromFieldSelector(selector: string | null): string {
  if (!selector || !selector.includes('metadata.name')) return '';
  for (const term of selector.split(',')) {
    const t = term.trim();
    const m = /^metadata\.name\s*(==|=)\s*(.*)$/.exec(t);
    if (m && !m[2].startsWith('=')) return m[2].trim();
  }
  return '';
}
