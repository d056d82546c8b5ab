// Discovery: which resources the server serves, for turning (apiVersion, kind) into a resource
// path. Asks for aggregated discovery (apidiscovery.k8s.io/v2, two requests) and falls back to
// the legacy documents (/api, /api/v1, /apis, /apis/<group>/<version>) when the server does not
// offer it. The answer is cached; a lookup that misses refreshes the cache once (a CRD may have
// been added since), and concurrent refreshes share one fetch.
import type { Requester } from './request.js';
import { parseApiVersion } from './resource-ref.js';

/** A named API group as /apis lists it (metav1.APIGroup, the fields callers read). */
export interface DiscoveredGroup {
  name: string;
  /** Served versions, in the server's order (most preferred first). */
  versions: string[];
  preferredVersion?: string;
}

export interface DiscoveredResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  singular?: string;
  shortNames?: string[];
  /** Subresource names, e.g. ["status", "scale"]. */
  subresources: string[];
}

const aggregatedAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface AggregatedResource {
  resource: string;
  responseKind?: { kind?: string };
  scope?: 'Namespaced' | 'Cluster';
  singularResource?: string;
  shortNames?: string[];
  verbs?: string[];
  subresources?: Array<{ subresource: string }>;
}

interface AggregatedList {
  kind?: string;
  items?: Array<{ metadata?: { name?: string }; versions?: Array<{ version: string; resources?: AggregatedResource[] }> }>;
}

interface LegacyResourceList {
  groupVersion?: string;
  resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[]; singularName?: string; shortNames?: string[] }>;
}

export class Discovery {
  private cache?: DiscoveredResource[];
  private fetching?: Promise<DiscoveredResource[]>;

  constructor(private readonly requester: Requester) {}

  /** Every resource the server serves (cached). */
  async resources(): Promise<DiscoveredResource[]> {
    return this.cache ?? this.refresh();
  }

  /** The resource serving `kind` in `apiVersion`, or undefined. Refreshes once on a miss. */
  async find(apiVersion: string, kind: string): Promise<DiscoveredResource | undefined> {
    const { group, version } = parseApiVersion(apiVersion);
    const match = (list: DiscoveredResource[]) => list.find((r) => r.group === group && r.version === version && r.kind === kind);
    const hadCache = this.cache !== undefined;
    const found = match(await this.resources());
    if (found || !hadCache) return found;
    return match(await this.refresh());
  }

  /** Forgets the cache; the next lookup fetches again. */
  invalidate(): void {
    this.cache = undefined;
  }

  /** The named groups and their versions (upstream's ServerGroups): one legacy /apis request,
   *  never cached, since a caller asking this (the custom metrics client) keeps its own choice and
   *  asks again only when that choice may have gone stale. */
  async serverGroups(): Promise<DiscoveredGroup[]> {
    const list = await this.requester.json<{ groups?: Array<{ name: string; versions?: Array<{ version: string }>; preferredVersion?: { version?: string } }> }>({
      method: 'GET',
      path: '/apis',
    });
    return (list.groups ?? []).map((g) => ({ name: g.name, versions: (g.versions ?? []).map((v) => v.version), preferredVersion: g.preferredVersion?.version || undefined }));
  }

  refresh(): Promise<DiscoveredResource[]> {
    this.fetching ??= this.fetch()
      .then((list) => (this.cache = list))
      .finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  private async fetch(): Promise<DiscoveredResource[]> {
    const [core, groups] = await Promise.all([this.fetchRoot('/api', true), this.fetchRoot('/apis', false)]);
    return [...core, ...groups];
  }

  private async fetchRoot(path: string, legacy: boolean): Promise<DiscoveredResource[]> {
    const doc = await this.requester.json<AggregatedList & { versions?: string[]; groups?: Array<{ versions?: Array<{ groupVersion: string }> }> }>({
      method: 'GET',
      path,
      headers: { accept: aggregatedAccept },
    });
    if (doc.kind === 'APIGroupDiscoveryList') return fromAggregated(doc, legacy);
    // Legacy documents: APIVersions for /api, APIGroupList for /apis; then one list per version.
    const groupVersions = legacy ? (doc.versions ?? []) : (doc.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => v.groupVersion));
    const lists = await Promise.all(
      groupVersions.map((gv) => this.requester.json<LegacyResourceList>({ method: 'GET', path: legacy ? `/api/${gv}` : `/apis/${gv}` })),
    );
    return lists.flatMap((l, i) => fromLegacy(l, groupVersions[i]));
  }
}

function fromAggregated(doc: AggregatedList, legacy: boolean): DiscoveredResource[] {
  const out: DiscoveredResource[] = [];
  for (const item of doc.items ?? []) {
    const group = legacy ? '' : (item.metadata?.name ?? '');
    for (const v of item.versions ?? []) {
      for (const r of v.resources ?? []) {
        out.push({
          group,
          version: v.version,
          plural: r.resource,
          kind: r.responseKind?.kind ?? '',
          namespaced: r.scope === 'Namespaced',
          verbs: r.verbs ?? [],
          singular: r.singularResource,
          shortNames: r.shortNames,
          subresources: (r.subresources ?? []).map((s) => s.subresource),
        });
      }
    }
  }
  return out;
}

function fromLegacy(list: LegacyResourceList, groupVersion: string): DiscoveredResource[] {
  const { group, version } = parseApiVersion(groupVersion);
  const out = new Map<string, DiscoveredResource>();
  const subs: Array<[string, string]> = [];
  for (const r of list.resources ?? []) {
    const slash = r.name.indexOf('/');
    if (slash >= 0) {
      subs.push([r.name.slice(0, slash), r.name.slice(slash + 1)]);
      continue;
    }
    out.set(r.name, { group, version, plural: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [], singular: r.singularName || undefined, shortNames: r.shortNames, subresources: [] });
  }
  for (const [parent, sub] of subs) out.get(parent)?.subresources.push(sub);
  return [...out.values()];
}
