// Topology pair counts kept across scheduling cycles. PreFilter needs, for every pod with
// required (anti-)affinity, counts over the existing pods of the whole cluster; upstream walks
// every pod on every node for each of them. Pods of one workload ask the same question (same
// terms, same labels), and between two of their cycles only the nodes the cache touched change.
// So each distinct question keeps its counts and every node's contribution beside the node's
// NodeInfo generation; a cycle recounts only the nodes whose generation moved.
//
// Two ways to find the changed nodes:
//  - 'all' (every node may contribute): the snapshot's full node list, by position; a list of
//    another length or another NodeInfo at a position (nodes added or removed) is a rebuild.
//  - 'subset' (only nodes in a list such as havePodsWithRequiredAntiAffinityList, whose
//    membership changes as pods come and go): a NodeInfo → contribution map, swept for nodes
//    that left the list.
//
// Sharing: counts() hands out the live TopologyCounts, valid until the index next changes. A
// cycle's state reads it during that cycle only (the snapshot it filters against is refreshed in
// place by the next cycle, too); `version` lets the state check that and fail loudly rather than
// read another cycle's counts. Copying the counts per cycle instead cost more than the rest of
// PreFilter (thousands of hostname pairs per workload).
import type { NodeInfo } from '../../framework/node-info.js';
import { TopologyCounts } from './topology-counts.js';

/** Counts that may belong to an index: valid while `source` is absent or still at `version`. */
export interface SharedCounts {
  counts: TopologyCounts;
  source: Versioned | undefined;
  version: number;
}

/** One node's share of the counts: pairs (topologyKey, value) with how many pods add to them. */
export interface PairContribution {
  keys: string[];
  values: string[];
  counts: number[];
}

/** The node's contribution now; undefined or empty when it adds nothing. */
export type Contribute = (ni: NodeInfo) => PairContribution | undefined;

interface Entry {
  ni: NodeInfo;
  generation: number;
  contribution: PairContribution | undefined;
  /** The sync that last saw the node in the list ('subset' only). */
  seen: number;
}

export type PairIndexMode = 'all' | 'subset';

/** Something whose content changes bump `version`. */
export interface Versioned {
  readonly version: number;
}

export class PairIndex implements Versioned {
  private current = new TopologyCounts();
  /** Bumped on every change to the counts counts() returned. */
  version = 0;
  private aligned: Entry[] = [];
  /** aligned[i].ni and aligned[i].generation, for the scan. */
  private alignedNodes: NodeInfo[] = [];
  private alignedGenerations = new Float64Array(0);
  private readonly byNode = new Map<NodeInfo, Entry>();
  private syncs = 0;

  constructor(
    readonly mode: PairIndexMode,
    private readonly contribute: Contribute,
  ) {}

  /** Brings the counts up to date with the nodes in `list` (for 'subset', only they contribute). */
  sync(list: readonly NodeInfo[]): void {
    if (this.mode === 'all') this.syncAligned(list);
    else this.syncSubset(list);
  }

  /** The counts as of the last sync: read-only, valid while `version` stays the same. */
  counts(): TopologyCounts {
    return this.current;
  }

  private syncAligned(list: readonly NodeInfo[]): void {
    // Parallel arrays, not aligned[i].ni: one object read per node (its generation) on the common path.
    const nodes = this.alignedNodes;
    const gens = this.alignedGenerations;
    if (list.length !== nodes.length) return this.rebuildAligned(list);
    for (let i = 0; i < list.length; i++) {
      const ni = list[i]!;
      if (nodes[i] !== ni) return this.rebuildAligned(list);
      const g = ni.generation;
      if (gens[i] !== g) {
        this.refresh(this.aligned[i]!);
        gens[i] = g;
      }
    }
  }

  private rebuildAligned(list: readonly NodeInfo[]): void {
    this.current = new TopologyCounts();
    this.version++;
    this.aligned = new Array<Entry>(list.length);
    this.alignedNodes = [...list];
    this.alignedGenerations = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const e: Entry = { ni: list[i]!, generation: -1, contribution: undefined, seen: 0 };
      this.aligned[i] = e;
      this.refresh(e);
      this.alignedGenerations[i] = e.generation;
    }
  }

  private syncSubset(list: readonly NodeInfo[]): void {
    const stamp = ++this.syncs;
    for (let i = 0; i < list.length; i++) {
      const ni = list[i]!;
      let e = this.byNode.get(ni);
      if (!e) {
        e = { ni, generation: -1, contribution: undefined, seen: stamp };
        this.byNode.set(ni, e);
      }
      e.seen = stamp;
      if (e.generation !== ni.generation) this.refresh(e);
    }
    // Nodes that left the list (or the snapshot) take their contribution with them.
    if (this.byNode.size > list.length) {
      for (const [ni, e] of this.byNode) {
        if (e.seen === stamp) continue;
        this.apply(e.contribution, -1);
        this.byNode.delete(ni);
      }
    }
  }

  private refresh(e: Entry): void {
    const next = this.contribute(e.ni);
    this.apply(e.contribution, -1);
    this.apply(next, 1);
    e.contribution = next;
    e.generation = e.ni.generation;
  }

  private apply(c: PairContribution | undefined, sign: 1 | -1): void {
    if (!c || c.keys.length === 0) return;
    this.version++;
    for (let i = 0; i < c.keys.length; i++) this.current.add(c.keys[i]!, c.values[i]!, sign * c.counts[i]!);
  }
}

/**
 * Indexes by question, least recently used dropped first (each holds an entry per node). A
 * question is indexed the second time it is asked: a one-off (a pod with labels no other pod has)
 * is answered by a plain count, without the cost of building an index it would never reuse.
 */
export class PairIndexes {
  private readonly byKey = new Map<string, PairIndex>();
  private readonly askedOnce = new Set<string>();

  constructor(private readonly max = 16) {}

  /**
   * The counts for `key` over `list` as `mode` says: read-only; `source` (if any) is the index
   * that may change them later, at `version`.
   */
  counts(key: string, mode: PairIndexMode, contribute: () => Contribute, list: readonly NodeInfo[]): SharedCounts {
    let idx = this.byKey.get(key);
    if (idx) this.byKey.delete(key);
    else if (!this.askedOnce.has(key)) {
      if (this.askedOnce.size >= 4 * this.max) this.askedOnce.clear();
      this.askedOnce.add(key);
      return { counts: countOnce(contribute(), list), source: undefined, version: 0 };
    } else {
      this.askedOnce.delete(key);
      idx = new PairIndex(mode, contribute());
      if (this.byKey.size >= this.max) this.byKey.delete(this.byKey.keys().next().value!);
    }
    this.byKey.set(key, idx);
    idx.sync(list);
    return { counts: idx.counts(), source: idx, version: idx.version };
  }

  /** Indexes held (tests). */
  get size(): number {
    return this.byKey.size;
  }
}

function countOnce(contribute: Contribute, list: readonly NodeInfo[]): TopologyCounts {
  const counts = new TopologyCounts();
  for (let i = 0; i < list.length; i++) {
    const c = contribute(list[i]!);
    if (!c) continue;
    for (let j = 0; j < c.keys.length; j++) counts.add(c.keys[j]!, c.values[j]!, c.counts[j]!);
  }
  return counts;
}
