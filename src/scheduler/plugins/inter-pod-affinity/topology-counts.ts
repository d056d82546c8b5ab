// Counts per topology pair (a node label key and its value), e.g. how many existing pods in zone
// "a" match the incoming pod's affinity terms. Entries that drop to zero are removed, so
// `size === 0` means no pair has a match anywhere (the first-pod-of-a-group check relies on it).
// Kept as key → value → count: Filter looks pairs up once per node, and nested maps avoid
// building a string per lookup (the hot path at thousands of nodes).
import type { Node } from 'kubernetes-types/core/v1.js';

export class TopologyCounts {
  private readonly byKey = new Map<string, Map<string, number>>();
  /** byKey's entries as arrays (rebuilt when a key comes or goes): Filter walks them per node without an iterator. */
  private keyList: string[] = [];
  private mapList: Map<string, number>[] = [];
  private pairs = 0;

  /** Number of pairs with a non-zero count. */
  get size(): number {
    return this.pairs;
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  /** Adds `delta` to the pair (topologyKey, node's value for it), if the node has that label. */
  update(node: Node | undefined, topologyKey: string, delta: number): void {
    const value = node?.metadata?.labels?.[topologyKey];
    if (value === undefined) return;
    this.add(topologyKey, value, delta);
  }

  /** Adds `delta` to the pair (topologyKey, value). */
  add(topologyKey: string, value: string, delta: number): void {
    if (delta === 0) return;
    let byValue = this.byKey.get(topologyKey);
    if (!byValue) {
      this.byKey.set(topologyKey, (byValue = new Map()));
      this.listKeys();
    }
    const before = byValue.get(value) ?? 0;
    const n = before + delta;
    if (n === 0) {
      byValue.delete(value);
      if (byValue.size === 0) {
        this.byKey.delete(topologyKey);
        this.listKeys();
      }
    } else byValue.set(value, n);
    if (before === 0 && n !== 0) this.pairs++;
    else if (before !== 0 && n === 0) this.pairs--;
  }

  /** True if any of the node's label pairs has a positive count. */
  anyPositiveOnNode(node: Node | undefined): boolean {
    if (this.pairs === 0) return false;
    const labels = node?.metadata?.labels;
    if (!labels) return false;
    // Few topology keys are in use: walk those rather than every node label.
    const keys = this.keyList;
    for (let i = 0; i < keys.length; i++) {
      const v = labels[keys[i]!];
      if (v !== undefined && (this.mapList[i]!.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  private listKeys(): void {
    this.keyList = [...this.byKey.keys()];
    this.mapList = [...this.byKey.values()];
  }

  /** Every pair with its count, sorted (tests, debugging). */
  entries(): [key: string, value: string, count: number][] {
    const out: [string, string, number][] = [];
    for (const [k, m] of this.byKey) for (const [v, n] of m) out.push([k, v, n]);
    return out.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) : a[0] < b[0] ? -1 : 1));
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.byKey) c.byKey.set(k, new Map(m));
    c.listKeys();
    c.pairs = this.pairs;
    return c;
  }
}
