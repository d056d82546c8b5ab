// The set of resources this server serves, looked up by URL (group, version, plural) or by kind.
import type { ResourceType } from '../../api/resource.js';
import type { ResourceEntry } from './resource-entry.js';

export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceEntry>();
  private readonly byKind = new Map<string, ResourceEntry>();
  private readonly ordered: ResourceEntry[] = [];

  add(entry: ResourceEntry): void {
    const t = entry.type;
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, entry);
    this.byKind.set(`${t.group}/${t.version}/${t.kind}`, entry);
    this.ordered.push(entry);
  }

  /** Stops serving an entry (a CRD's version that was removed or stopped being served). */
  remove(entry: ResourceEntry): void {
    const t = entry.type;
    if (this.byPath.get(`${t.group}/${t.version}/${t.plural}`) === entry) this.byPath.delete(`${t.group}/${t.version}/${t.plural}`);
    if (this.byKind.get(`${t.group}/${t.version}/${t.kind}`) === entry) this.byKind.delete(`${t.group}/${t.version}/${t.kind}`);
    const i = this.ordered.indexOf(entry);
    if (i >= 0) this.ordered.splice(i, 1);
  }

  find(group: string, version: string, plural: string): ResourceEntry | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  forKind(group: string, version: string, kind: string): ResourceEntry | undefined {
    return this.byKind.get(`${group}/${version}/${kind}`);
  }

  all(): readonly ResourceEntry[] {
    return this.ordered;
  }

  /** Groups in registration order, each with its versions in registration order. */
  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const e of this.ordered) {
      const versions = groups.get(e.type.group) ?? [];
      if (!versions.includes(e.type.version)) versions.push(e.type.version);
      groups.set(e.type.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions }));
  }

  resourcesOf(group: string, version: string): ResourceType[] {
    return this.ordered.filter((e) => e.type.group === group && e.type.version === version).map((e) => e.type);
  }
}
