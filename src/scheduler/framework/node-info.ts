// Everything the scheduler knows about one node in a cycle (upstream framework.NodeInfo): the
// Node, the pods on it (bound and assumed), their summed requests, host ports in use, images
// present, and the pods with (anti-)affinity so InterPodAffinity scans only those. `generation`
// increases on every change, which lets the cache copy only changed nodes into a snapshot.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeTable } from './node-table.js';
import { newPodInfo, podUsage, type PodInfo } from './pod-info.js';
import { addResource, assignResource, cloneResource, emptyResource, resourceFromList, subtractResource, type Resource } from './resource.js';

let nextGeneration = 1;
export const newGeneration = () => nextGeneration++;

export interface ImageState {
  sizeBytes: number;
  /** On how many nodes the image is present (for ImageLocality's spread factor). */
  numNodes: number;
}

const PROTOCOLS: Record<string, number> = { TCP: 0, UDP: 1, SCTP: 2 };
/** Protocol and port as one number (ports are < 65536); an empty protocol is TCP. */
const protocolPort = (protocol: string | undefined, port: number) => (PROTOCOLS[protocol || 'TCP'] ?? 3) * 65536 + port;

/**
 * Host ports in use, indexed by protocol+port, then host IP → count (NodePorts checks thousands of
 * nodes per pod, so a check is two map lookups). A pod port with hostIP 0.0.0.0 conflicts with every IP.
 */
export class HostPortInfo {
  private readonly used = new Map<number, Map<string, number>>();
  private entries = 0;

  add(ip: string | undefined, protocol: string | undefined, port: number): void {
    const pp = protocolPort(protocol, port);
    let ips = this.used.get(pp);
    if (!ips) this.used.set(pp, (ips = new Map()));
    const addr = ip || '0.0.0.0';
    const n = ips.get(addr) ?? 0;
    if (n === 0) this.entries++;
    ips.set(addr, n + 1);
  }

  remove(ip: string | undefined, protocol: string | undefined, port: number): void {
    const pp = protocolPort(protocol, port);
    const ips = this.used.get(pp);
    const addr = ip || '0.0.0.0';
    const n = (ips?.get(addr) ?? 0) - 1;
    if (!ips || n < 0) return;
    if (n > 0) ips.set(addr, n);
    else {
      ips.delete(addr);
      this.entries--;
      if (ips.size === 0) this.used.delete(pp);
    }
  }

  /** True if ip/protocol/port conflicts with a port in use (0.0.0.0 on either side matches any IP). */
  conflicts(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    if (port <= 0) return false;
    const ips = this.used.get(protocolPort(protocol, port));
    if (!ips) return false;
    const addr = ip || '0.0.0.0';
    return addr === '0.0.0.0' || ips.has('0.0.0.0') || ips.has(addr);
  }

  /** Distinct ip/protocol/port entries in use. */
  get size(): number {
    return this.entries;
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [k, ips] of this.used) c.used.set(k, new Map(ips));
    c.entries = this.entries;
    return c;
  }
}

/** Index of the pod with this name and namespace (the pod's key; no key string is built). */
function indexOfPod(list: PodInfo[], name: string, namespace: string): number {
  for (let i = 0; i < list.length; i++) {
    const u = podUsage(list[i]!);
    if (u.name === name && u.namespace === namespace) return i;
  }
  return -1;
}

export class NodeInfo {
  node: Node | undefined;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  /** Sum of the pods' requests (what NodeResourcesFit compares with allocatable). */
  requested: Resource = emptyResource();
  /** Sum with 100m/200Mi for containers that request nothing (what scoring uses). */
  nonZeroRequested: Resource = emptyResource();
  allocatable: Resource = emptyResource();
  usedPorts = new HostPortInfo();
  /** Image name (every name of the image, tags and digests) → state. Filled by the cache. */
  imageStates = new Map<string, ImageState>();
  /** PVC keys "ns/name" → pods using them (ReadWriteOncePod checks). */
  pvcRefCounts = new Map<string, number>();
  generation = newGeneration();
  /**
   * The snapshot's NodeTable and this NodeInfo's row in it (node-table.ts); set by the snapshot
   * only, never copied by clone() or assignFrom(): a copy has no row.
   */
  table: NodeTable | undefined = undefined;
  tableSlot = -1;
  private namedNode: Node | undefined;
  private nodeName = '';

  constructor(node?: Node, ...pods: Pod[]) {
    if (node) this.setNode(node);
    for (const p of pods) this.addPod(p);
  }

  /** The node's name, remembered per Node object (Score reads it for hundreds of nodes per pod). */
  get name(): string {
    const node = this.node;
    if (node !== this.namedNode) {
      this.namedNode = node;
      this.nodeName = node?.metadata?.name ?? '';
    }
    return this.nodeName;
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = resourceFromList(node.status?.allocatable as Record<string, string> | undefined);
    this.generation = newGeneration();
  }

  removeNode(): void {
    this.node = undefined;
    this.generation = newGeneration();
  }

  addPod(pod: Pod): void {
    this.addPodInfo(newPodInfo(pod));
  }

  addPodInfo(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.requiredAffinityTerms.length || pi.requiredAntiAffinityTerms.length || pi.preferredAffinityTerms.length || pi.preferredAntiAffinityTerms.length) {
      this.podsWithAffinity.push(pi);
    }
    if (pi.requiredAntiAffinityTerms.length) this.podsWithRequiredAntiAffinity.push(pi);
    this.update(pi, 1);
  }

  /** Removes the pod with the same namespace/name (by key, so an updated copy removes the old one). */
  removePod(pod: Pod): boolean {
    return this.removeByKey(pod.metadata?.name ?? '', pod.metadata?.namespace ?? '');
  }

  /** removePod(pi.pod), with the key the PodInfo has already read. */
  removePodInfo(pi: PodInfo): boolean {
    const u = podUsage(pi);
    return this.removeByKey(u.name, u.namespace);
  }

  private removeByKey(name: string, namespace: string): boolean {
    const i = indexOfPod(this.pods, name, namespace);
    if (i < 0) return false;
    const [pi] = this.pods.splice(i, 1);
    if (this.podsWithAffinity.length) {
      const j = indexOfPod(this.podsWithAffinity, name, namespace);
      if (j >= 0) this.podsWithAffinity.splice(j, 1);
    }
    if (this.podsWithRequiredAntiAffinity.length) {
      const j = indexOfPod(this.podsWithRequiredAntiAffinity, name, namespace);
      if (j >= 0) this.podsWithRequiredAntiAffinity.splice(j, 1);
    }
    this.update(pi!, -1);
    return true;
  }

  private update(pi: PodInfo, sign: 1 | -1): void {
    const u = podUsage(pi);
    if (sign > 0) {
      addResource(this.requested, u.requests);
      addResource(this.nonZeroRequested, u.nonZeroRequests);
    } else {
      subtractResource(this.requested, u.requests);
      subtractResource(this.nonZeroRequested, u.nonZeroRequests);
    }
    for (const p of u.hostPorts) {
      if (sign > 0) this.usedPorts.add(p.ip, p.protocol, p.port);
      else this.usedPorts.remove(p.ip, p.protocol, p.port);
    }
    for (const k of u.pvcKeys) {
      const n = (this.pvcRefCounts.get(k) ?? 0) + sign;
      if (n > 0) this.pvcRefCounts.set(k, n);
      else this.pvcRefCounts.delete(k);
    }
    this.generation = newGeneration();
  }

  /**
   * Makes this NodeInfo an independent copy of `from` in place (what the snapshot does with the
   * few nodes that changed since the last cycle, so its NodeInfo objects keep their identity).
   * Like clone(), pods and PodInfos are shared; the node's imageStates map is shared too, since
   * the cache replaces it on a node change and never edits it. Only what differs is allocated.
   * A field added to NodeInfo must be copied here as in clone().
   */
  assignFrom(from: NodeInfo): void {
    this.node = from.node;
    this.pods = from.pods.slice();
    this.podsWithAffinity = from.podsWithAffinity.length || this.podsWithAffinity.length ? from.podsWithAffinity.slice() : this.podsWithAffinity;
    this.podsWithRequiredAntiAffinity =
      from.podsWithRequiredAntiAffinity.length || this.podsWithRequiredAntiAffinity.length ? from.podsWithRequiredAntiAffinity.slice() : this.podsWithRequiredAntiAffinity;
    assignResource(this.requested, from.requested);
    assignResource(this.nonZeroRequested, from.nonZeroRequested);
    assignResource(this.allocatable, from.allocatable);
    if (from.usedPorts.size || this.usedPorts.size) this.usedPorts = from.usedPorts.clone();
    this.imageStates = from.imageStates;
    if (from.pvcRefCounts.size || this.pvcRefCounts.size) this.pvcRefCounts = new Map(from.pvcRefCounts);
    this.generation = from.generation;
  }

  /** A copy for a snapshot: pod lists and sums are copied, pod objects and PodInfos are shared (immutable). */
  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.requested = cloneResource(this.requested);
    c.nonZeroRequested = cloneResource(this.nonZeroRequested);
    c.allocatable = cloneResource(this.allocatable);
    c.usedPorts = this.usedPorts.clone();
    c.imageStates = new Map(this.imageStates);
    c.pvcRefCounts = new Map(this.pvcRefCounts);
    c.generation = this.generation;
    return c;
  }
}
