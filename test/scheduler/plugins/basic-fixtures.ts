// Small builders for the basic plugins' tests: nodes, pods, NodeInfos, a cycle run (PreFilter →
// Filter per node; PreScore → Score → NormalizeScore) and a Handle carrying only what the plugins
// under test read (the snapshot list and, for DefaultBinder, a real client).
import type { Node, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { pino } from 'pino';
import { CycleState } from '../../../src/scheduler/framework/cycle-state.js';
import { NodeInfo } from '../../../src/scheduler/framework/node-info.js';
import { Code, Status, type MaybeStatus } from '../../../src/scheduler/framework/status.js';
import type { FilterPlugin, Handle, NodeInfoLister, NodeScore, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScorePlugin } from '../../../src/scheduler/framework/types.js';

export function node(name: string, extra: Partial<Node> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', ...extra, metadata: { name, ...extra.metadata } };
}

export function pod(name: string, spec: Partial<PodSpec> = {}, meta: Pod['metadata'] = {}): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, ...meta }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } };
}

export function lister(infos: NodeInfo[]): NodeInfoLister {
  const byName = new Map(infos.map((i) => [i.name, i]));
  return {
    list: () => infos,
    get: (n) => byName.get(n),
    havePodsWithAffinityList: () => infos.filter((i) => i.podsWithAffinity.length),
    havePodsWithRequiredAntiAffinityList: () => infos.filter((i) => i.podsWithRequiredAntiAffinity.length),
  };
}

export function handle(infos: NodeInfo[] = [], extra: Partial<Handle> = {}): Handle {
  return { log: pino({ level: 'silent' }), snapshotSharedLister: () => lister(infos), extenders: [], ...extra } as Handle;
}

/** Normalizes PreFilter's union answer. */
export function preFilterOf(out: ReturnType<PreFilterPlugin['preFilter']>): { result?: PreFilterResult; status?: MaybeStatus } {
  if (out instanceof Status || out === null || out === undefined) return { status: out ?? undefined };
  return out as { result?: PreFilterResult; status?: MaybeStatus };
}

/** A status as [code, reasons] for deepEqual; Success for nothing. */
export const codeOf = (s: MaybeStatus): [Code, string[]] => (s ? [s.code, s.reasons] : [Code.Success, []]);

/** Runs PreFilter (if any) then Filter for `p` on `ni`, as the framework does (Skip → filter not run). */
export function runFilter(plugin: FilterPlugin & Partial<PreFilterPlugin>, p: Pod, ni: NodeInfo, state = new CycleState()): [Code, string[]] {
  if (plugin.preFilter) {
    const { status } = preFilterOf(plugin.preFilter(state, p, [ni]));
    if (status?.code === Code.Skip) return [Code.Success, []];
    if (status && status.code !== Code.Success) return codeOf(status);
  }
  return codeOf(plugin.filter(state, p, ni));
}

/** Runs PreScore, Score on every node, then NormalizeScore; returns name → final score. */
export function runScore(plugin: ScorePlugin & Partial<PreScorePlugin>, p: Pod, infos: NodeInfo[]): Record<string, number> {
  const state = new CycleState();
  if (plugin.preScore) {
    const s = plugin.preScore(state, p, infos);
    if (s && s.code === Code.Skip) return Object.fromEntries(infos.map((i) => [i.name, 0]));
  }
  const scores: NodeScore[] = infos.map((i) => {
    const v = plugin.score(state, p, i);
    if (v instanceof Status) throw new Error(`score failed: ${v.message()}`);
    return { name: i.name, score: v };
  });
  plugin.scoreExtensions?.()?.normalizeScore(state, p, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

export const info = (n: Node, ...pods: Pod[]) => new NodeInfo(n, ...pods);
