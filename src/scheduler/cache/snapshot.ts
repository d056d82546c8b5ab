// The per-cycle view of the cluster (upstream internal/cache/snapshot.go). The cache refreshes it
// in place before each cycle, copying only the NodeInfos that changed since the last refresh; the
// NodeInfo objects keep their identity so the lists need rebuilding only when nodes come or go
// or a node starts/stops having pods with affinity.
import type { NodeInfoLister } from '../framework/types.js';
import { NodeInfo } from '../framework/node-info.js';
import { NodeTable } from '../framework/node-table.js';

export class Snapshot implements NodeInfoLister {
  readonly nodeInfoMap = new Map<string, NodeInfo>();
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityNodeInfoList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityNodeInfoList: NodeInfo[] = [];
  /** The highest NodeInfo generation copied in. */
  generation = 0;
  /** Nodes whose imageStates are not empty (kept by the cache). */
  nodesWithImages = 0;
  /** Rows of flat numbers for the Filter plugins' fast paths, one per NodeInfo in nodeInfoMap. */
  readonly table = new NodeTable();

  /** A standalone snapshot of nodes (tests, simulations). */
  static of(infos: NodeInfo[]): Snapshot {
    const s = new Snapshot();
    for (const i of infos) s.set(i.name, i);
    s.nodeInfoList = [...infos];
    s.havePodsWithAffinityNodeInfoList = infos.filter((i) => i.podsWithAffinity.length > 0);
    s.havePodsWithRequiredAntiAffinityNodeInfoList = infos.filter((i) => i.podsWithRequiredAntiAffinity.length > 0);
    s.nodesWithImages = infos.filter((i) => i.imageStates.size > 0).length;
    return s;
  }

  /** Adds (or replaces) a NodeInfo, giving it a row in the table unless it has one. */
  set(name: string, ni: NodeInfo): void {
    const old = this.nodeInfoMap.get(name);
    if (old === ni) return;
    if (old) this.table.remove(old);
    // A NodeInfo that already has a row (in another snapshot's table) keeps it: rows check
    // their NodeInfo's generation on every read, so either table answers correctly.
    if (!ni.table) this.table.add(ni);
    this.nodeInfoMap.set(name, ni);
  }

  /** Drops a node's NodeInfo and its row. */
  delete(name: string): void {
    const old = this.nodeInfoMap.get(name);
    if (!old) return;
    this.table.remove(old);
    this.nodeInfoMap.delete(name);
  }

  /** Drops every NodeInfo (a full rebuild follows). */
  clear(): void {
    for (const ni of this.nodeInfoMap.values()) this.table.remove(ni);
    this.nodeInfoMap.clear();
  }

  list(): NodeInfo[] {
    return this.nodeInfoList;
  }

  get(nodeName: string): NodeInfo | undefined {
    return this.nodeInfoMap.get(nodeName);
  }

  havePodsWithAffinityList(): NodeInfo[] {
    return this.havePodsWithAffinityNodeInfoList;
  }

  havePodsWithRequiredAntiAffinityList(): NodeInfo[] {
    return this.havePodsWithRequiredAntiAffinityNodeInfoList;
  }

  numNodesWithImages(): number {
    return this.nodesWithImages;
  }

  numNodes(): number {
    return this.nodeInfoList.length;
  }
}
