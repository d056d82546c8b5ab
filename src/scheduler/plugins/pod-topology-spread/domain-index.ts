// Matching pods per topology domain, kept up to date across scheduling cycles. PreFilter (and
// PreScore) need, for each of a pod's constraints, the matching pods summed per domain over every
// eligible node: upstream recounts that for every pod, 5,000 nodes each time. Pods of one
// workload share their constraints, and between two of their cycles only the few nodes the cache
// touched (the last assumed pod's node, informer events) change. So the sums are kept per
// distinct (mode, namespace, constraints, inclusion policy inputs), with each node's contribution
// remembered beside its NodeInfo generation: a cycle compares generations (an integer per node)
// and recounts only the nodes that changed.
//
// Node identity: the snapshot keeps NodeInfo objects across cycles and bumps `generation` on every
// change. The index remembers the list position of each NodeInfo; a list of another length or with
// another NodeInfo at a position (nodes added/removed, a new snapshot) is rebuilt from scratch.
//
// Sharing: matchNums() hands out the live per-domain maps, valid until the index next changes.
// A cycle's state reads them during that cycle only (the snapshot it filters against is refreshed
// in place by the next cycle, too); `version` lets the state check that and fail loudly rather
// than read another cycle's counts. (Copying per cycle would cost O(domains): 5,000 for hostname.)
import type { NodeInfo } from '../../framework/node-info.js';
import type { NodeInclusion, SpreadConstraint } from './constraints.js';
import { CriticalPaths } from './critical-paths.js';
import { countMatchingPods, memoKey } from './pod-count-memo.js';

/**
 * Which nodes count and under which value (upstream calPreFilterState vs PreScore):
 * 'filter': nodes with every topology key as a (string) label, under its value;
 * 'score-all-keys' (PreScore with requireAllTopologies): nodes with every topology key;
 * 'score-any-keys' (system default constraints): every node, a missing label counting as ''.
 */
export type DomainMode = 'filter' | 'score-all-keys' | 'score-any-keys';

export interface DomainIndexSpec {
  mode: DomainMode;
  /** Namespace of the pods counted (the incoming pod's). */
  ns: string;
  constraints: readonly SpreadConstraint[];
  inclusion: NodeInclusion;
  /** Which constraints are summed (scoring counts hostname constraints per node instead). */
  counted: readonly boolean[];
}

interface NodeEntry {
  ni: NodeInfo;
  generation: number;
  /** Per constraint: the node's domain, or undefined if the node does not count for it. */
  values: (string | undefined)[];
  /** Per constraint: matching pods on the node. */
  pods: number[];
}

export class DomainIndex {
  /** Bumped on every change to the maps matchNums() returned. */
  version = 0;
  private entries: NodeEntry[] = [];
  /** entries[i].ni and entries[i].generation, for sync's scan. */
  private nodeList: NodeInfo[] = [];
  private generations = new Float64Array(0);
  /** Per constraint: domain → eligible (and included) nodes in it. */
  private nodes: Map<string, number>[];
  /** Per constraint: domain → matching pods; an entry for every domain with nodes (maybe 0). */
  private pods: Map<string, number>[];
  private paths: (CriticalPaths | undefined)[];
  private readonly memoKeys: string[];
  private readonly valuesScratch: (string | undefined)[];
  private readonly includedScratch: boolean[];

  constructor(private readonly spec: DomainIndexSpec) {
    const n = spec.constraints.length;
    this.nodes = spec.constraints.map(() => new Map());
    this.pods = spec.constraints.map(() => new Map());
    this.paths = new Array<CriticalPaths | undefined>(n).fill(undefined);
    this.memoKeys = spec.constraints.map((c) => memoKey(c, spec.ns));
    this.valuesScratch = new Array<string | undefined>(n);
    this.includedScratch = new Array<boolean>(n).fill(true);
  }

  /** Brings the sums up to date with `list` (the snapshot's nodes): O(nodes) integer compares plus a recount of changed nodes. */
  sync(list: readonly NodeInfo[]): void {
    // Parallel arrays, not entries[i].ni: one object read per node (its generation) on the common path.
    const nodes = this.nodeList;
    const gens = this.generations;
    if (list.length !== nodes.length) return this.rebuild(list);
    for (let i = 0; i < list.length; i++) {
      const ni = list[i]!;
      if (nodes[i] !== ni) return this.rebuild(list);
      const g = ni.generation;
      if (gens[i] !== g) {
        this.refresh(this.entries[i]!);
        gens[i] = g;
      }
    }
  }

  /** Constraint i: domain → matching pods, every eligible domain present. Read-only, valid while `version` stays the same. */
  matchNums(i: number): ReadonlyMap<string, number> {
    return this.pods[i]!;
  }

  /** Constraint i: matching pods in the domain, undefined if no counted node is in it. */
  podsIn(i: number, value: string): number | undefined {
    return this.pods[i]!.get(value);
  }

  /** Constraint i's two least crowded domains (a copy: the caller may update it). */
  criticalPaths(i: number): CriticalPaths {
    let p = this.paths[i];
    if (!p) {
      p = new CriticalPaths();
      for (const [value, num] of this.pods[i]!) p.update(value, num);
      this.paths[i] = p;
    }
    return p.clone();
  }

  /** Sums over `list` once, remembering no node: for a question asked once (DomainIndexes). */
  countOnce(list: readonly NodeInfo[]): this {
    const { constraints, counted, ns } = this.spec;
    for (let n = 0; n < list.length; n++) {
      const ni = list[n]!;
      const values = this.nodeValues(ni);
      if (!values) continue;
      for (let i = 0; i < constraints.length; i++) {
        const v = values[i];
        if (counted[i] && v !== undefined) this.add(i, v, 1, countMatchingPods(ni, constraints[i]!, ns, this.memoKeys[i]!));
      }
    }
    return this;
  }

  private rebuild(list: readonly NodeInfo[]): void {
    const n = this.spec.constraints.length;
    this.nodes = this.spec.constraints.map(() => new Map());
    this.pods = this.spec.constraints.map(() => new Map());
    this.paths = new Array<CriticalPaths | undefined>(n).fill(undefined);
    this.version++;
    this.entries = new Array<NodeEntry>(list.length);
    this.nodeList = [...list];
    this.generations = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const e: NodeEntry = { ni: list[i]!, generation: -1, values: new Array<string | undefined>(n).fill(undefined), pods: new Array<number>(n).fill(0) };
      this.entries[i] = e;
      this.refresh(e);
      this.generations[i] = e.generation;
    }
  }

  /** Replaces the node's old contribution with its current one. */
  private refresh(e: NodeEntry): void {
    const { constraints, counted, ns } = this.spec;
    const values = this.nodeValues(e.ni);
    for (let i = 0; i < constraints.length; i++) {
      if (!counted[i]) continue;
      const before = e.values[i];
      const now = values?.[i];
      const pods = now === undefined ? 0 : countMatchingPods(e.ni, constraints[i]!, ns, this.memoKeys[i]!);
      if (before === now && e.pods[i] === pods) continue;
      if (before !== undefined) this.add(i, before, -1, -e.pods[i]!);
      if (now !== undefined) this.add(i, now, 1, pods);
      e.values[i] = now;
      e.pods[i] = pods;
    }
    e.generation = e.ni.generation;
  }

  /** The node's domain per constraint (undefined where it does not count), or undefined if it counts for none. Reuses a scratch array. */
  private nodeValues(ni: NodeInfo): (string | undefined)[] | undefined {
    const node = ni.node;
    if (!node) return undefined;
    const { constraints, inclusion, mode } = this.spec;
    const labels = node.metadata?.labels;
    const values = this.valuesScratch;
    for (let i = 0; i < constraints.length; i++) {
      const key = constraints[i]!.topologyKey;
      if (mode === 'filter') {
        // Own string values only (upstream: the node has every topology key).
        const v = labels?.[key];
        if (typeof v !== 'string') return undefined;
        values[i] = v;
      } else if (mode === 'score-all-keys') {
        if (!labels || !Object.prototype.hasOwnProperty.call(labels, key)) return undefined;
        values[i] = labels[key];
      } else {
        values[i] = labels?.[key] ?? '';
      }
    }
    if (!inclusion.trivial) {
      const included = inclusion.evaluate(node, this.includedScratch);
      for (let i = 0; i < constraints.length; i++) if (!included[i]) values[i] = undefined;
    }
    return values;
  }

  private add(i: number, value: string, nodes: number, pods: number): void {
    this.version++;
    const nodeMap = this.nodes[i]!;
    const podMap = this.pods[i]!;
    const n = (nodeMap.get(value) ?? 0) + nodes;
    if (n === 0) {
      nodeMap.delete(value);
      podMap.delete(value);
    } else {
      nodeMap.set(value, n);
      podMap.set(value, (podMap.get(value) ?? 0) + pods);
    }
    this.paths[i] = undefined;
  }
}

/**
 * Indexes by key, least recently used dropped first. Each index holds an entry per node, so only a
 * few are kept: enough for the workloads being scheduled at one time.
 */
export class DomainIndexes {
  private readonly byKey = new Map<string, DomainIndex>();
  private readonly askedOnce = new Set<string>();

  constructor(private readonly max = 16) {}

  /**
   * The sums for spec over list. A spec is indexed the second time it is asked: a one-off (a pod
   * whose constraints no other pod shares) gets a plain count, not an index it would never reuse.
   */
  get(spec: DomainIndexSpec, list: readonly NodeInfo[]): DomainIndex {
    const key = indexKey(spec);
    let idx = this.byKey.get(key);
    if (idx) this.byKey.delete(key);
    else if (!this.askedOnce.has(key)) {
      if (this.askedOnce.size >= 4 * this.max) this.askedOnce.clear();
      this.askedOnce.add(key);
      return new DomainIndex(spec).countOnce(list);
    } else {
      this.askedOnce.delete(key);
      idx = new DomainIndex(spec);
      if (this.byKey.size >= this.max) this.byKey.delete(this.byKey.keys().next().value!);
    }
    this.byKey.set(key, idx);
    idx.sync(list);
    return idx;
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** Everything the sums depend on: two specs with one key count the same pods on the same nodes. */
function indexKey(spec: DomainIndexSpec): string {
  let key = spec.mode + '\0' + spec.ns + '\0' + spec.inclusion.signature;
  for (let i = 0; i < spec.constraints.length; i++) {
    const c = spec.constraints[i]!;
    key += '\0' + (spec.counted[i] ? '+' : '-') + c.topologyKey + '\x01' + c.selectorKey + '\x01' + c.nodeAffinityPolicy + '\x01' + c.nodeTaintsPolicy;
  }
  return key;
}
