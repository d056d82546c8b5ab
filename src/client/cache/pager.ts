// Lists a resource in pages (tools/pager): `limit` items at a time, following `continue`
// tokens. If a continue token expires part-way (410), the pager falls back to one unpaginated
// list at the original resourceVersion instead of failing, as upstream's FullListIfExpired.
import type { KubeObject } from '../../api/object.js';
import type { ListerWatcher, ListOptions } from '../types.js';
import { isGone } from './errors.js';

export interface PagedList<T extends KubeObject> {
  items: T[];
  resourceVersion: string;
  /** The server honoured the limit and returned more than one page (or a continue token). */
  paginated: boolean;
}

export async function listAllPages<T extends KubeObject>(lw: ListerWatcher<T>, opts: ListOptions, pageSize: number, signal?: AbortSignal): Promise<PagedList<T>> {
  const first: ListOptions = { ...opts };
  if (pageSize > 0) first.limit = pageSize;
  let page = await lw.list(first);
  let paginated = Boolean(page.metadata?.continue);
  // Copy, never alias: the first page's array belongs to whoever decoded it.
  const items: T[] = page.items ? [...page.items] : [];
  let resourceVersion = page.metadata?.resourceVersion ?? '';
  while (page.metadata?.continue) {
    if (signal?.aborted) break;
    // A continuation carries the snapshot in its token; resourceVersion(Match) must be unset.
    const next: ListOptions = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: pageSize, continue: page.metadata.continue };
    try {
      page = await lw.list(next);
    } catch (err) {
      if (!isGone(err)) throw err;
      const full = await lw.list({ ...opts, limit: undefined, continue: undefined });
      return { items: full.items ?? [], resourceVersion: full.metadata?.resourceVersion ?? '', paginated };
    }
    paginated = true;
    for (const item of page.items ?? []) items.push(item);
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
  }
  return { items, resourceVersion, paginated };
}
