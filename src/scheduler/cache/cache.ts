// The scheduler's cache (upstream internal/cache/cache.go): nodes and the pods on them from the
// informers, plus pods the scheduler has assumed (decided but not yet bound), so the next cycle
// sees their resources taken without waiting for the API round trip.
//
// NodeInfos sit in a doubly linked list, most recently changed first; updateSnapshot walks it
// only until it meets a node older than the snapshot, so a cycle copies the few nodes that
// changed, not all 5,000. Image states (which nodes have which image) are shared objects, so
// ImageLocality's numNodes is current on every node without recopying them.
//
// Contract: assume → finishBinding (bind call returned) → the informer's add confirms it; or
// assume → forget when scheduling/binding fails. Assumed pods whose binding finished but were
// never confirmed expire after ttlMs (0 = never).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { NodeInfo, newGeneration, type ImageState } from '../framework/node-info.js';
import { NodeTree } from './node-tree.js';
import type { Snapshot } from './snapshot.js';

interface NodeItem {
  info: NodeInfo;
  prev: NodeItem | undefined;
  next: NodeItem | undefined;
}

interface PodState {
  pod: Pod;
  /** When an assumed pod whose binding finished expires (ms since epoch). */
  deadline?: number;
  bindingFinished: boolean;
}

interface ImageEntry {
  nodes: Set<string>;
  summary: ImageState;
}

export interface CacheOptions {
  log: Logger;
  /** How long an assumed, bound but unconfirmed pod is kept (upstream durationToExpireAssumedPod). */
  ttlMs?: number;
  now?: () => number;
}

const uidOf = (p: Pod) => p.metadata?.uid ?? '';

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeItem>();
  private head: NodeItem | undefined;
  private readonly tree = new NodeTree();
  private readonly podStates = new Map<string, PodState>();
  private readonly assumed = new Set<string>();
  private readonly images = new Map<string, ImageEntry>();
  /** NodeInfos whose imageStates are not empty. */
  private nodesWithImages = 0;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly log: Logger;

  constructor(opts: CacheOptions) {
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.ttlMs ?? 15 * 60 * 1000;
  }

  get nodeCount(): number {
    return this.tree.numNodes;
  }

  get podCount(): number {
    return this.podStates.size;
  }

  get assumedPodCount(): number {
    return this.assumed.size;
  }

  // ---- nodes -------------------------------------------------------------------------------

  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    let item = this.nodes.get(name);
    if (!item) {
      item = { info: new NodeInfo(), prev: undefined, next: undefined };
      this.nodes.set(name, item);
    } else {
      this.removeNodeImages(item.info);
    }
    this.moveToHead(item);
    this.tree.add(node);
    item.info.setNode(node);
    this.addNodeImages(node, item.info);
  }

  updateNode(oldNode: Node, newNode: Node): void {
    const name = newNode.metadata?.name ?? '';
    const item = this.nodes.get(name);
    if (!item || !item.info.node) return this.addNode(newNode);
    this.removeNodeImages(item.info);
    this.moveToHead(item);
    this.tree.update(oldNode, newNode);
    item.info.setNode(newNode);
    this.addNodeImages(newNode, item.info);
  }

  /** The node is gone; its NodeInfo stays (without a node) while pods still point at it. */
  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const item = this.nodes.get(name);
    if (!item) return;
    this.tree.remove(item.info.node ?? node);
    this.removeNodeImages(item.info);
    if (item.info.pods.length === 0) this.unlink(name, item);
    else {
      item.info.removeNode();
      this.moveToHead(item);
    }
  }

  private addNodeImages(node: Node, info: NodeInfo): void {
    const states = new Map<string, ImageState>();
    for (const img of node.status?.images ?? []) {
      for (const name of img.names ?? []) {
        let e = this.images.get(name);
        if (!e) {
          e = { nodes: new Set(), summary: { sizeBytes: img.sizeBytes ?? 0, numNodes: 0 } };
          this.images.set(name, e);
        }
        e.nodes.add(node.metadata?.name ?? '');
        e.summary.numNodes = e.nodes.size;
        states.set(name, e.summary);
      }
    }
    info.imageStates = states;
    if (states.size > 0) this.nodesWithImages++;
  }

  private removeNodeImages(info: NodeInfo): void {
    const nodeName = info.name;
    if (info.imageStates.size > 0) this.nodesWithImages--;
    for (const name of info.imageStates.keys()) {
      const e = this.images.get(name);
      if (!e) continue;
      e.nodes.delete(nodeName);
      e.summary.numNodes = e.nodes.size;
      if (e.nodes.size === 0) this.images.delete(name);
    }
    info.imageStates = new Map();
  }

  // ---- pods --------------------------------------------------------------------------------

  private nodeItemFor(nodeName: string): NodeItem {
    let item = this.nodes.get(nodeName);
    if (!item) {
      // A pod bound to a node we have not seen (yet): keep it on a NodeInfo without a node.
      item = { info: new NodeInfo(), prev: undefined, next: undefined };
      this.nodes.set(nodeName, item);
    }
    return item;
  }

  private addPodToNode(pod: Pod): void {
    const item = this.nodeItemFor(pod.spec?.nodeName ?? '');
    item.info.addPod(pod);
    this.moveToHead(item);
  }

  private removePodFromNode(pod: Pod): void {
    const name = pod.spec?.nodeName ?? '';
    const item = this.nodes.get(name);
    if (!item) return;
    item.info.removePod(pod);
    if (item.info.pods.length === 0 && !item.info.node) this.unlink(name, item);
    else this.moveToHead(item);
  }

  /** The scheduler decided pod (with spec.nodeName set) goes there; count it now. */
  assumePod(pod: Pod): void {
    const uid = uidOf(pod);
    if (this.podStates.has(uid)) throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} is in the cache, so can't be assumed`);
    this.addPodToNode(pod);
    this.podStates.set(uid, { pod, bindingFinished: false });
    this.assumed.add(uid);
  }

  /** The bind call returned: start the expiry clock of the assumed pod. */
  finishBinding(pod: Pod): void {
    const st = this.podStates.get(uidOf(pod));
    if (!st || !this.assumed.has(uidOf(pod))) return;
    st.bindingFinished = true;
    st.deadline = this.ttlMs > 0 ? this.now() + this.ttlMs : undefined;
  }

  /** Scheduling or binding failed: drop the assumed pod. */
  forgetPod(pod: Pod): void {
    const uid = uidOf(pod);
    const st = this.podStates.get(uid);
    if (st && st.pod.spec?.nodeName !== pod.spec?.nodeName) {
      throw new Error(`pod ${pod.metadata?.name} was assumed on ${pod.spec?.nodeName} but assigned to ${st.pod.spec?.nodeName}`);
    }
    if (!st || !this.assumed.has(uid)) throw new Error(`pod ${pod.metadata?.name} wasn't assumed so cannot be forgotten`);
    this.removePodFromNode(st.pod);
    this.podStates.delete(uid);
    this.assumed.delete(uid);
  }

  isAssumedPod(pod: Pod): boolean {
    return this.assumed.has(uidOf(pod));
  }

  /** Whether the pod is known (assumed or bound). */
  hasPod(pod: Pod): boolean {
    return this.podStates.has(uidOf(pod));
  }

  getPod(pod: Pod): Pod | undefined {
    return this.podStates.get(uidOf(pod))?.pod;
  }

  /** An assigned pod from the informer (confirms an assumed one). */
  addPod(pod: Pod): void {
    const uid = uidOf(pod);
    const st = this.podStates.get(uid);
    if (st && this.assumed.has(uid)) {
      if (st.pod.spec?.nodeName !== pod.spec?.nodeName) this.log.info({ pod: uid, assumed: st.pod.spec?.nodeName, node: pod.spec?.nodeName }, 'pod was added to a different node than it was assumed');
      this.removePodFromNode(st.pod);
      this.addPodToNode(pod);
      this.assumed.delete(uid);
      this.podStates.set(uid, { pod, bindingFinished: false });
      return;
    }
    if (st) {
      // Already added (a relist): treat as an update.
      this.updatePod(st.pod, pod);
      return;
    }
    this.addPodToNode(pod);
    this.podStates.set(uid, { pod, bindingFinished: false });
  }

  updatePod(oldPod: Pod, newPod: Pod): void {
    const uid = uidOf(newPod);
    const st = this.podStates.get(uid);
    if (!st) return this.addPod(newPod);
    if (this.assumed.has(uid)) return this.addPod(newPod);
    this.removePodFromNode(st.pod);
    this.addPodToNode(newPod);
    st.pod = newPod;
    void oldPod;
  }

  removePod(pod: Pod): void {
    const uid = uidOf(pod);
    const st = this.podStates.get(uid);
    if (!st) return;
    this.removePodFromNode(st.pod);
    this.podStates.delete(uid);
    this.assumed.delete(uid);
  }

  /** Drops assumed pods whose binding finished long ago but never showed up (upstream cleanupAssumedPods). */
  cleanupAssumedPods(now = this.now()): void {
    for (const uid of this.assumed) {
      const st = this.podStates.get(uid);
      if (!st || !st.bindingFinished || st.deadline === undefined || st.deadline > now) continue;
      this.log.warn({ pod: `${st.pod.metadata?.namespace}/${st.pod.metadata?.name}`, node: st.pod.spec?.nodeName }, 'assumed pod expired');
      this.removePodFromNode(st.pod);
      this.podStates.delete(uid);
      this.assumed.delete(uid);
    }
  }

  /** Runs cleanupAssumedPods every second until the signal aborts. */
  run(signal: AbortSignal): void {
    const t = setInterval(() => this.cleanupAssumedPods(), 1000);
    t.unref?.();
    signal.addEventListener('abort', () => clearInterval(t), { once: true });
  }

  // ---- snapshot ----------------------------------------------------------------------------

  /**
   * Brings snapshot up to date: copies NodeInfos changed since its generation (walking the
   * recency list from the head until an older one), drops deleted nodes, and rebuilds the lists
   * only when membership or affinity-presence changed.
   */
  updateSnapshot(snapshot: Snapshot): void {
    const snapGen = snapshot.generation;
    let updateAll = false;
    // NodeInfos whose having pods with (anti-)affinity flipped: the two lists are edited for
    // these alone, not rebuilt from every node (in an anti-affinity workload a node gains its
    // first such pod nearly every cycle).
    const affinityFlipped: NodeInfo[] = [];
    const antiAffinityFlipped: NodeInfo[] = [];
    for (let item = this.head; item; item = item.next) {
      if (item.info.generation <= snapGen) break;
      const node = item.info.node;
      if (!node) continue;
      const name = item.info.name;
      let existing = snapshot.nodeInfoMap.get(name);
      if (!existing) {
        updateAll = true;
        existing = new NodeInfo();
        snapshot.set(name, existing);
      }
      const info = item.info;
      if (existing.podsWithAffinity.length > 0 !== info.podsWithAffinity.length > 0) affinityFlipped.push(existing);
      if (existing.podsWithRequiredAntiAffinity.length > 0 !== info.podsWithRequiredAntiAffinity.length > 0) antiAffinityFlipped.push(existing);
      existing.assignFrom(info);
    }
    if (this.head) snapshot.generation = Math.max(snapGen, this.head.info.generation);
    snapshot.nodesWithImages = this.nodesWithImages;
    if (snapshot.nodeInfoMap.size > this.tree.numNodes) {
      for (const name of snapshot.nodeInfoMap.keys()) {
        if (!this.nodes.get(name)?.info.node) snapshot.delete(name);
      }
      updateAll = true;
    }
    if (updateAll) this.updateLists(snapshot, true);
    else {
      if (affinityFlipped.length) snapshot.havePodsWithAffinityNodeInfoList = withFlipped(snapshot.havePodsWithAffinityNodeInfoList, affinityFlipped, (ni) => ni.podsWithAffinity.length > 0);
      if (antiAffinityFlipped.length) snapshot.havePodsWithRequiredAntiAffinityNodeInfoList = withFlipped(snapshot.havePodsWithRequiredAntiAffinityNodeInfoList, antiAffinityFlipped, (ni) => ni.podsWithRequiredAntiAffinity.length > 0);
    }
    if (snapshot.nodeInfoList.length !== this.tree.numNodes) {
      // Should not happen; recover as upstream does, with a full rebuild.
      this.log.error({ snapshot: snapshot.nodeInfoList.length, cache: this.tree.numNodes }, 'snapshot state is not consistent with the cache; rebuilding');
      snapshot.clear();
      snapshot.generation = 0;
      for (const [name, item] of this.nodes) if (item.info.node) snapshot.set(name, item.info.clone());
      this.updateLists(snapshot, true);
    }
  }

  private updateLists(snapshot: Snapshot, updateAll: boolean): void {
    if (updateAll) {
      const list: NodeInfo[] = [];
      for (const name of this.tree.list()) {
        const ni = snapshot.nodeInfoMap.get(name);
        if (ni) list.push(ni);
      }
      snapshot.nodeInfoList = list;
    }
    const aff: NodeInfo[] = [];
    const anti: NodeInfo[] = [];
    for (const ni of snapshot.nodeInfoList) {
      if (ni.podsWithAffinity.length > 0) aff.push(ni);
      if (ni.podsWithRequiredAntiAffinity.length > 0) anti.push(ni);
    }
    snapshot.havePodsWithAffinityNodeInfoList = aff;
    snapshot.havePodsWithRequiredAntiAffinityNodeInfoList = anti;
  }

  // ---- the recency list --------------------------------------------------------------------

  /** Makes item the most recent (with a new generation, keeping the list ordered by generation). */
  private moveToHead(item: NodeItem): void {
    item.info.generation = newGeneration();
    if (this.head === item) return;
    if (item.prev) item.prev.next = item.next;
    if (item.next) item.next.prev = item.prev;
    item.prev = undefined;
    item.next = this.head;
    if (this.head) this.head.prev = item;
    this.head = item;
  }

  private unlink(name: string, item: NodeItem): void {
    if (item.prev) item.prev.next = item.next;
    if (item.next) item.next.prev = item.prev;
    if (this.head === item) this.head = item.next;
    item.prev = item.next = undefined;
    this.nodes.delete(name);
  }

  /** Debug/test view: node names most recently changed first. */
  recencyOrder(): string[] {
    const out: string[] = [];
    for (let item = this.head; item; item = item.next) out.push(item.info.name);
    return out;
  }
}

/**
 * A new list (states of earlier cycles may still hold the old one) with the flipped NodeInfos
 * that now qualify added and those that no longer do removed. Order is not the node tree's:
 * the lists' users only count over them.
 */
function withFlipped(list: readonly NodeInfo[], flipped: readonly NodeInfo[], qualifies: (ni: NodeInfo) => boolean): NodeInfo[] {
  const lost = new Set<NodeInfo>();
  const gained: NodeInfo[] = [];
  for (const ni of flipped) {
    if (qualifies(ni)) gained.push(ni);
    else lost.add(ni);
  }
  const kept = lost.size ? list.filter((ni) => !lost.has(ni)) : list.slice();
  for (const ni of gained) kept.push(ni);
  return kept;
}
