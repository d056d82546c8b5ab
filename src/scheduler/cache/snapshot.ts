// The per-cycle view of the cluster (upstream internal/cache/snapshot.go). The cache refreshes it
// in place before each cycle, copying only the NodeInfos that changed since the last refresh; the
// NodeInfo objects keep their identity so the lists need rebuilding only when nodes come or go
// or a node starts/stops having pods with affinity.
import type { NodeInfoLister } from '../framework/types.js';
import { NodeInfo } from '../framework/node-info.js';

export class Snapshot implements NodeInfoLister {
  readonly nodeInfoMap = new Map<string, NodeInfo>();
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityNodeInfoList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityNodeInfoList: NodeInfo[] = [];
  /** The highest NodeInfo generation copied in. */
  generation = 0;
  /** Nodes whose imageStates are not empty (kept by the cache). */
  nodesWithImages = 0;

  /** A standalone snapshot of nodes (tests, simulations). */
  static of(infos: NodeInfo[]): Snapshot {
    const s = new Snapshot();
    for (const i of infos) s.nodeInfoMap.set(i.name, i);
    s.nodeInfoList = [...infos];
    s.havePodsWithAffinityNodeInfoList = infos.filter((i) => i.podsWithAffinity.length > 0);
    s.havePodsWithRequiredAntiAffinityNodeInfoList = infos.filter((i) => i.podsWithRequiredAntiAffinity.length > 0);
    s.nodesWithImages = infos.filter((i) => i.imageStates.size > 0).length;
    return s;
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
