// The groups and versions aggregated API servers serve, as this server's discovery lists them:
// versions of a group by versionPriority, then Kubernetes' version order (v1 > v1beta1 >
// v1alpha1 > anything else); groups by groupPriorityMinimum. Resources come from each other
// server's APIResourceList, read by the availability check; until one has been read, or while the
// APIService is not available, the group-version is listed as Stale.
import type { RemoteAPIService } from './aggregator.js';

export interface RemoteGroup {
  group: string;
  versions: RemoteAPIService[];
}

export function remoteGroups(remotes: RemoteAPIService[]): RemoteGroup[] {
  const byGroup = new Map<string, RemoteAPIService[]>();
  for (const r of remotes) {
    const list = byGroup.get(r.group);
    if (list) list.push(r);
    else byGroup.set(r.group, [r]);
  }
  const groups = [...byGroup].map(([group, versions]) => ({ group, versions: versions.sort((a, b) => b.versionPriority - a.versionPriority || compareKubeAwareVersions(a.version, b.version)) }));
  const priority = (g: RemoteGroup) => Math.max(...g.versions.map((v) => v.groupPriorityMinimum));
  return groups.sort((a, b) => priority(b) - priority(a) || (a.group < b.group ? -1 : 1));
}

/** One version's APIVersionDiscovery (aggregated discovery v2) from the other server's APIResourceList. */
export function remoteVersionDiscovery(r: RemoteAPIService): Record<string, unknown> {
  const list = (r.resources ?? []) as ApiResource[];
  const main = list.filter((x) => typeof x.name === 'string' && !x.name.includes('/'));
  const resources = main.map((x) => {
    const out: Record<string, unknown> = {
      resource: x.name,
      responseKind: { group: x.group ?? r.group, version: x.version ?? r.version, kind: x.kind ?? '' },
      scope: x.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: x.singularName || (x.kind ?? '').toLowerCase(),
      verbs: x.verbs ?? [],
    };
    if (x.shortNames?.length) out.shortNames = x.shortNames;
    if (x.categories?.length) out.categories = x.categories;
    const subs = list.filter((s) => typeof s.name === 'string' && s.name.startsWith(`${x.name}/`));
    if (subs.length) {
      out.subresources = subs.map((s) => ({
        subresource: s.name.slice(x.name.length + 1),
        responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind ?? '' },
        verbs: s.verbs ?? [],
      }));
    }
    return out;
  });
  return { version: r.version, resources, freshness: r.available && r.resources ? 'Current' : 'Stale' };
}

interface ApiResource {
  name: string;
  singularName?: string;
  namespaced?: boolean;
  group?: string;
  version?: string;
  kind?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

/**
 * Kubernetes' version order (apimachinery's CompareKubeAwareVersionStrings), as a sort
 * comparator: negative when `a` comes first. GA before beta before alpha, higher numbers first;
 * versions not of that form last, alphabetically.
 */
export function compareKubeAwareVersions(a: string, b: string): number {
  const pa = parseKubeVersion(a);
  const pb = parseKubeVersion(b);
  if (!pa && !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (!pa) return 1;
  if (!pb) return -1;
  if (pa.stability !== pb.stability) return pb.stability - pa.stability;
  if (pa.major !== pb.major) return pb.major - pa.major;
  return pb.minor - pa.minor;
}

function parseKubeVersion(v: string): { major: number; stability: number; minor: number } | undefined {
  const m = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), stability: m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, minor: m[3] === undefined ? 0 : Number(m[3]) };
}
