// PodTopologySpread's soft constraints (upstream scoring.go). PreScore counts matching pods per
// domain over all nodes (only for domains that some filtered node belongs to; the sums come from
// domain-index.ts, kept across cycles; hostname domains are counted per node in Score). A node's
// raw score is Σ count × log(domains + 2) + (maxSkew - 1) over its constraints: fewer siblings
// nearby → lower raw score → higher normalized score.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { MAX_NODE_SCORE, type NodeScore } from '../../framework/types.js';
import { LABEL_HOSTNAME, NodeInclusion, nodeLabelsMatchSpreadConstraints, type SpreadConstraint } from './constraints.js';
import { requiredNodeAffinity } from './node-inclusion.js';
import type { DomainIndexes } from './domain-index.js';
import { countMatchingPods, memoKey } from './pod-count-memo.js';

export interface SpreadScoreState {
  constraints: SpreadConstraint[];
  /** Filtered nodes missing some constraint's topology key: scored 0. */
  ignoredNodes: Set<string>;
  /** Per constraint: topology value → matching pods (hostname constraints stay empty). */
  topologyValueToPodCounts: Map<string, number>[];
  /** Per constraint: log(number of domains + 2), so small topologies are not watered down by big ones. */
  topologyNormalizingWeight: number[];
  /** Per constraint: memoKey for the pod's namespace. */
  memoKeys: string[];
}

export const topologyNormalizingWeight = (size: number) => Math.log(size + 2);

/** `maxSkew - 1` is added so that small differences between domains matter less. */
export const scoreForCount = (cnt: number, maxSkew: number, weight: number) => cnt * weight + (maxSkew - 1);

/**
 * Upstream initPreScoreState + PreScore's counting. `requireAllTopologies` is false only for the
 * system defaults, so nodes without a zone label still get hostname spreading.
 */
export function computeScoreState(
  pod: Pod,
  constraints: SpreadConstraint[],
  filteredNodes: readonly NodeInfo[],
  allNodes: readonly NodeInfo[],
  requireAllTopologies: boolean,
  indexes: DomainIndexes,
): SpreadScoreState {
  const ns = pod.metadata?.namespace ?? '';
  const s: SpreadScoreState = {
    constraints,
    ignoredNodes: new Set(),
    topologyValueToPodCounts: constraints.map(() => new Map()),
    topologyNormalizingWeight: [],
    memoKeys: constraints.map((c) => memoKey(c, ns)),
  };
  const topoSize = constraints.map(() => 0);
  for (const ni of filteredNodes) {
    const labels = ni.node?.metadata?.labels;
    if (requireAllTopologies && !nodeLabelsMatchSpreadConstraints(labels, constraints)) {
      s.ignoredNodes.add(ni.name);
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      const value = labels?.[c.topologyKey] ?? '';
      const m = s.topologyValueToPodCounts[i]!;
      if (!m.has(value)) {
        m.set(value, 0);
        topoSize[i]!++;
      }
    });
  }
  s.topologyNormalizingWeight = constraints.map((c, i) =>
    topologyNormalizingWeight(c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - s.ignoredNodes.size : topoSize[i]!),
  );

  // Hostname-only constraints count in Score; skip the sums over all nodes when nothing else needs them.
  if (constraints.every((c) => c.topologyKey === LABEL_HOSTNAME)) return s;
  const inclusion = new NodeInclusion(constraints, pod, requiredNodeAffinity(pod));
  const counted = constraints.map((c) => c.topologyKey !== LABEL_HOSTNAME);
  const index = indexes.get({ mode: requireAllTopologies ? 'score-all-keys' : 'score-any-keys', ns, constraints, inclusion, counted }, allNodes);
  for (let i = 0; i < constraints.length; i++) {
    if (!counted[i]) continue;
    // Only domains some candidate node is in matter.
    const m = s.topologyValueToPodCounts[i]!;
    for (const value of m.keys()) m.set(value, index.podsIn(i, value) ?? 0);
  }
  return s;
}

/** Upstream Score: the node's raw score (0 for ignored nodes). */
export function scoreNode(s: SpreadScoreState, pod: Pod, nodeInfo: NodeInfo): number {
  if (s.ignoredNodes.has(nodeInfo.name)) return 0;
  const labels = nodeInfo.node?.metadata?.labels ?? {};
  const ns = pod.metadata?.namespace ?? '';
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const tpVal = labels[c.topologyKey];
    if (tpVal === undefined) continue;
    const cnt = c.topologyKey === LABEL_HOSTNAME ? countMatchingPods(nodeInfo, c, ns, s.memoKeys[i]!) : (s.topologyValueToPodCounts[i]!.get(tpVal) ?? 0);
    score += scoreForCount(cnt, c.maxSkew, s.topologyNormalizingWeight[i]!);
  }
  return Math.round(score);
}

/** Upstream NormalizeScore: maps raw scores so the least crowded node gets 100; ignored nodes get 0. */
export function normalizeScores(s: SpreadScoreState, scores: NodeScore[]): void {
  let minScore = Number.MAX_SAFE_INTEGER;
  let maxScore = 0;
  for (const ns of scores) {
    if (s.ignoredNodes.has(ns.name)) continue;
    if (ns.score < minScore) minScore = ns.score;
    if (ns.score > maxScore) maxScore = ns.score;
  }
  for (const ns of scores) {
    if (s.ignoredNodes.has(ns.name)) {
      ns.score = 0;
    } else if (maxScore === 0) {
      ns.score = MAX_NODE_SCORE;
    } else {
      ns.score = Math.trunc((MAX_NODE_SCORE * (maxScore + minScore - ns.score)) / maxScore);
    }
  }
}
