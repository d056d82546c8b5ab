// A ListerWatcher (what a reflector needs) for one resource, optionally one namespace and fixed
// selectors. Selectors given by the reflector are ANDed with the fixed ones (comma-joined, which
// is AND in both label and field selector syntax).
import type { KubeObject } from '../../api/object.js';
import type { ListerWatcher, ListOptions, ObjectList, WatchOptions, WatchStream } from '../types.js';
import type { ResourceClient } from './resource-client.js';

export interface ListerWatcherOptions {
  /** One namespace; absent = all namespaces (or the client's bound namespace). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

function and(a: string | undefined, b: string | undefined): string | undefined {
  if (a && b) return `${a},${b}`;
  return a || b || undefined;
}

export function listerWatcher<T extends KubeObject>(resource: ResourceClient<T>, opts: ListerWatcherOptions = {}): ListerWatcher<T> {
  const scope = opts.namespace !== undefined ? { namespace: opts.namespace } : {};
  return {
    list: (o: ListOptions): Promise<ObjectList<T>> =>
      resource.list({ ...o, ...scope, labelSelector: and(opts.labelSelector, o.labelSelector), fieldSelector: and(opts.fieldSelector, o.fieldSelector) }),
    watch: (o: WatchOptions): Promise<WatchStream<T>> =>
      resource.watch({ ...o, ...scope, labelSelector: and(opts.labelSelector, o.labelSelector), fieldSelector: and(opts.fieldSelector, o.fieldSelector) }),
  };
}
