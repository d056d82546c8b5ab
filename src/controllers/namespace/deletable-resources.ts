// Which resources the namespace deleter empties (upstream: ServerPreferredNamespacedResources
// filtered by the "delete" verb). Discovery lists every served version; a group-resource is
// handled once, in the first version listed, which aggregated discovery orders by preference.
import type { DiscoveredResource } from '../../client/rest/discovery.js';

export interface DeletableResource {
  group: string;
  version: string;
  /** The lower-case plural, as in the URL. */
  plural: string;
  kind: string;
  verbs: ReadonlySet<string>;
}

export interface DeletableResources {
  resources: DeletableResource[];
  /** Group/versions that do not parse (upstream's NamespaceDeletionGroupVersionParsingFailure). */
  parseErrors: string[];
}

/** Namespaced, deletable resources, one version per group-resource, in discovery order. */
export function deletableNamespacedResources(discovered: readonly DiscoveredResource[]): DeletableResources {
  const seen = new Set<string>();
  const resources: DeletableResource[] = [];
  const parseErrors: string[] = [];
  for (const r of discovered) {
    if (!r.namespaced || r.plural.includes('/')) continue;
    const verbs = new Set(r.verbs);
    if (!verbs.has('delete')) continue;
    if (!r.version || r.version.includes('/') || r.group.includes('/')) {
      parseErrors.push(`unexpected GroupVersion string: ${r.group ? `${r.group}/` : ''}${r.version}`);
      continue;
    }
    const key = `${r.group}/${r.plural}`;
    if (seen.has(key)) continue;
    seen.add(key);
    resources.push({ group: r.group, version: r.version, plural: r.plural, kind: r.kind, verbs });
  }
  return { resources, parseErrors };
}

/** How upstream prints a GroupVersionResource in errors: "apps/v1, Resource=deployments". */
export function gvrString(r: Pick<DeletableResource, 'group' | 'version' | 'plural'>): string {
  return `${r.group}/${r.version}, Resource=${r.plural}`;
}
