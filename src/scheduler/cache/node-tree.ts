// Node names grouped by zone (upstream internal/cache/node_tree.go). list() interleaves the zones
// (first node of each zone, then the second of each, …) so that a cycle that stops after
// percentageOfNodesToScore nodes still sees every zone.
import type { Node } from 'kubernetes-types/core/v1.js';

const ZONE = 'topology.kubernetes.io/zone';
const REGION = 'topology.kubernetes.io/region';
const ZONE_BETA = 'failure-domain.beta.kubernetes.io/zone';
const REGION_BETA = 'failure-domain.beta.kubernetes.io/region';

/** Upstream utilnode.GetZoneKey: "" when the node has neither region nor zone. */
export function zoneKey(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const zone = l[ZONE] ?? l[ZONE_BETA] ?? '';
  const region = l[REGION] ?? l[REGION_BETA] ?? '';
  if (!zone && !region) return '';
  return `${region}:\x00:${zone}`;
}

export class NodeTree {
  private readonly tree = new Map<string, string[]>();
  private readonly zones: string[] = [];
  numNodes = 0;

  add(node: Node): void {
    const zone = zoneKey(node);
    const name = node.metadata?.name ?? '';
    let names = this.tree.get(zone);
    if (!names) {
      names = [];
      this.tree.set(zone, names);
      this.zones.push(zone);
    }
    if (names.includes(name)) return;
    names.push(name);
    this.numNodes++;
  }

  remove(node: Node): void {
    const zone = zoneKey(node);
    const names = this.tree.get(zone);
    const name = node.metadata?.name ?? '';
    const i = names ? names.indexOf(name) : -1;
    if (i < 0) return;
    names!.splice(i, 1);
    this.numNodes--;
    if (names!.length === 0) {
      this.tree.delete(zone);
      this.zones.splice(this.zones.indexOf(zone), 1);
    }
  }

  update(oldNode: Node, newNode: Node): void {
    if (zoneKey(oldNode) === zoneKey(newNode)) return;
    this.remove(oldNode);
    this.add(newNode);
  }

  list(): string[] {
    const out: string[] = [];
    if (this.zones.length === 1) return [...this.tree.get(this.zones[0])!];
    for (let i = 0; out.length < this.numNodes; i++) {
      for (const z of this.zones) {
        const names = this.tree.get(z)!;
        if (i < names.length) out.push(names[i]);
      }
    }
    return out;
  }
}
