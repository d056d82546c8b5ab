// Which resources the collector watches (upstream GetDeletableResources): every resource the
// server serves that supports list, watch and delete, in the server's preferred version of its
// group, minus the ignored ones (events, as upstream's defaults). Found through discovery, so
// CRDs added later join at the next rescan.
import type { DiscoveredResource } from '../../client/rest/discovery.js';
import { resourceRef, type ResourceRef } from '../../client/rest/resource-ref.js';

export interface GroupResource {
  group: string;
  resource: string;
}

/** Upstream's DefaultIgnoredResources: events are never owners or dependents worth tracking. */
export const defaultIgnoredResources: GroupResource[] = [
  { group: '', resource: 'events' },
  { group: 'events.k8s.io', resource: 'events' },
];

export interface MonitoredResource {
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
}

export function monitorKey(r: { group: string; version: string; plural: string }): string {
  return `${r.group}/${r.version}/${r.plural}`;
}

/**
 * Discovery lists a group's versions preferred first; like ServerPreferredResources, a resource
 * served in several versions is watched once, in the first (preferred) one.
 */
export function deletableResources(all: readonly DiscoveredResource[], ignored: readonly GroupResource[] = defaultIgnoredResources): MonitoredResource[] {
  const skip = new Set(ignored.map((g) => `${g.group}/${g.resource}`));
  const seen = new Set<string>();
  const out: MonitoredResource[] = [];
  for (const r of all) {
    const gr = `${r.group}/${r.plural}`;
    if (seen.has(gr)) continue;
    seen.add(gr);
    if (skip.has(gr) || r.plural.includes('/')) continue;
    if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
    out.push({
      ref: resourceRef({ group: r.group, version: r.version, plural: r.plural, namespaced: r.namespaced, kind: r.kind }),
      apiVersion: r.group ? `${r.group}/${r.version}` : r.version,
      kind: r.kind,
    });
  }
  return out;
}
