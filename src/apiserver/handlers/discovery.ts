// Discovery documents: aggregated discovery v2 (what kubectl 1.30+ asks for first) and the legacy
// APIVersions / APIGroupList / APIResourceList documents (auth can-i, client-node, older kubectl).
import { createHash } from 'node:crypto';
import type { ResourceType } from '../../api/resource.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { remoteVersionDiscovery, type RemoteGroup } from '../aggregator/discovery.js';

export const aggregatedContentType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const aggregatedBetaContentType = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery version the Accept header asks for, if any (first acceptable wins). */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const clause of accept.split(',')) {
    const params = clause.split(';').map((p) => p.trim());
    if (params.includes('as=APIGroupDiscoveryList') && params.includes('g=apidiscovery.k8s.io')) {
      if (params.includes('v=v2')) return 'v2';
      if (params.includes('v=v2beta1')) return 'v2beta1';
    } else if (params[0] === 'application/json' || params[0] === '*/*') {
      return undefined;
    }
  }
  return undefined;
}

export function aggregatedContentTypeFor(v: 'v2' | 'v2beta1'): string {
  return v === 'v2' ? aggregatedContentType : aggregatedBetaContentType;
}

function scope(t: ResourceType): 'Namespaced' | 'Cluster' {
  return t.namespaced ? 'Namespaced' : 'Cluster';
}

function resourceDiscovery(t: ResourceType): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: t.plural,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: scope(t),
    singularResource: t.singular,
    verbs: t.verbs,
  };
  if (t.shortNames?.length) r.shortNames = t.shortNames;
  if (t.categories?.length) r.categories = t.categories;
  if (t.subresources.length) {
    r.subresources = t.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}

/**
 * APIGroupDiscoveryList for /api (core only) or /apis (every named group, with the group-versions
 * aggregated API servers serve after this server's own).
 */
export function aggregatedDiscovery(registry: ResourceRegistry, legacy: boolean, v: 'v2' | 'v2beta1', remote: RemoteGroup[] = []): unknown {
  const items: { metadata: Record<string, unknown>; versions: Record<string, unknown>[] }[] = registry
    .groupVersions()
    .filter((g) => (g.group === '') === legacy)
    .map((g) => ({
      metadata: legacy ? { creationTimestamp: null } : { name: g.group, creationTimestamp: null },
      versions: g.versions.map((version) => ({
        version,
        resources: registry.resourcesOf(g.group, version).map(resourceDiscovery),
        freshness: 'Current',
      })),
    }));
  if (!legacy) {
    for (const g of remote) {
      const versions = g.versions.map(remoteVersionDiscovery);
      const local = items.find((i) => i.metadata.name === g.group);
      if (local) local.versions.push(...versions);
      else items.push({ metadata: { name: g.group, creationTimestamp: null }, versions });
    }
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(group: string, versions: string[]): Record<string, unknown> {
  const gvs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

/** Named groups and their versions: this server's, then the aggregated API servers' (merged into a group this server has). */
function namedGroups(registry: ResourceRegistry, remote: RemoteGroup[]): { group: string; versions: string[] }[] {
  const groups = registry.groupVersions().filter((g) => g.group !== '');
  for (const r of remote) {
    const versions = r.versions.map((x) => x.version);
    const local = groups.find((g) => g.group === r.group);
    if (local) local.versions = [...local.versions, ...versions.filter((v) => !local.versions.includes(v))];
    else groups.push({ group: r.group, versions });
  }
  return groups;
}

export function apiGroupList(registry: ResourceRegistry, remote: RemoteGroup[] = []): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: namedGroups(registry, remote).map((g) => apiGroup(g.group, g.versions)) };
}

export function apiGroupDocument(registry: ResourceRegistry, group: string, remote: RemoteGroup[] = []): unknown | undefined {
  const g = namedGroups(registry, remote).find((x) => x.group === group);
  if (!g) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) };
}

/** APIResourceList for one group-version, or undefined if it is not served. */
export function apiResourceList(registry: ResourceRegistry, group: string, version: string): unknown | undefined {
  const types = registry.resourcesOf(group, version);
  if (!types.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    const r: Record<string, unknown> = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
    };
    if (t.shortNames?.length) r.shortNames = t.shortNames;
    if (t.categories?.length) r.categories = t.categories;
    r.storageVersionHash = storageVersionHash(t);
    resources.push(r);
    for (const s of t.subresources) {
      const sub: Record<string, unknown> = { name: `${t.plural}/${s.name}`, singularName: '', namespaced: t.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== t.group || s.version !== t.version) {
        sub.group = s.group;
        sub.version = s.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

/** Upstream's storageVersionHash: base64 of the first 8 bytes of sha256("group/version/kind"). */
function storageVersionHash(t: ResourceType): string {
  return createHash('sha256').update(`${t.group}/${t.version}/${t.kind}`).digest().subarray(0, 8).toString('base64');
}
