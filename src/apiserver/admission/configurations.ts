// The admission configurations (webhook configurations, policies and their bindings) as the
// admission plugins read them: from the watch cache, in name order, the resource looked up once
// (every write asks).
import type { StoredObject } from '../../api/object.js';
import type { ResourceCache } from '../watch-cache.js';
import type { AdmissionDeps } from './plugins.js';

export interface Configurations<T> {
  /** How many there are (a write no configuration can concern costs this only). */
  size(): number;
  /** All of them, by name. */
  all(): T[];
}

export function admissionConfigurations<T extends StoredObject>(deps: AdmissionDeps, plural: string): Configurations<T> {
  let rc: ResourceCache | undefined;
  const cache = (): ResourceCache | undefined => {
    if (!rc) {
      const entry = deps.registry.find('admissionregistration.k8s.io', 'v1', plural);
      if (entry) rc = deps.cache.resourceFor(entry.prefix);
    }
    return rc;
  };
  return {
    size: () => cache()?.objects.size ?? 0,
    all: () => {
      const c = cache();
      if (!c || c.objects.size === 0) return [];
      return c.keys().map((k) => c.objects.get(k) as T);
    },
  };
}
