// LowNodeUtilization (upstream plugins/nodeutilization/lownodeutilization.go): nodes whose usage
// is at or below `thresholds` on every resource are underutilized, nodes above
// `targetThresholds` on any resource are overutilized; pods are evicted from the overutilized
// nodes (most used first, lowest priority pods first) while the node stays above its target
// and the underutilized nodes still have room below their targets. With useDeviationThresholds
// both are offsets from the average usage of the nodes.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { podArgsFilter, sortPodsLowToHigh, isTerminal } from '../../pod-utils.js';
import { nodeInfo, percentages, podAmounts, validateThresholds, type NodeInfo, type Percentages } from './usage.js';

export const NAME = 'LowNodeUtilization';

export interface LowNodeUtilizationArgs {
  useDeviationThresholds: boolean;
  thresholds: Percentages;
  targetThresholds: Percentages;
  numberOfNodes: number;
  evictableNamespaces?: { exclude?: string[] };
}

const CORE = ['cpu', 'memory', 'pods'];

function defaults(raw: Record<string, unknown>): LowNodeUtilizationArgs {
  const r = raw as Partial<LowNodeUtilizationArgs>;
  const useDeviationThresholds = r.useDeviationThresholds ?? false;
  const thresholds = { ...(r.thresholds ?? {}) };
  const targetThresholds = { ...(r.targetThresholds ?? {}) };
  // Upstream: a core resource not named counts as 100% (or 0 with deviation) on both sides, so it never decides.
  if (Object.keys(thresholds).length) {
    for (const n of CORE) {
      if (thresholds[n] === undefined) thresholds[n] = useDeviationThresholds ? 0 : 100;
      if (targetThresholds[n] === undefined) targetThresholds[n] = useDeviationThresholds ? 0 : 100;
    }
  }
  return { ...r, useDeviationThresholds, thresholds, targetThresholds, numberOfNodes: r.numberOfNodes ?? 0 };
}

function validate(args: LowNodeUtilizationArgs): string | undefined {
  const t = validateThresholds(args.thresholds);
  if (t) return `thresholds config is not valid: ${t}`;
  const tt = validateThresholds(args.targetThresholds);
  if (tt) return `targetThresholds config is not valid: ${tt}`;
  const a = Object.keys(args.thresholds).sort().join(',');
  const b = Object.keys(args.targetThresholds).sort().join(',');
  if (a !== b) return 'thresholds and targetThresholds configured different resources';
  if (!args.useDeviationThresholds) for (const n of Object.keys(args.thresholds)) if (args.thresholds[n]! > args.targetThresholds[n]!) return `thresholds' ${n} percentage is greater than targetThresholds'`;
  return undefined;
}

const below = (p: Percentages, t: Percentages) => Object.keys(t).every((n) => (p[n] ?? 0) <= t[n]!);
const above = (p: Percentages, t: Percentages) => Object.keys(t).some((n) => (p[n] ?? 0) > t[n]!);

function create(args: LowNodeUtilizationArgs, handle: Handle): Plugin {
  const names = Object.keys(args.thresholds);
  const excluded = podArgsFilter({ exclude: args.evictableNamespaces?.exclude }, undefined);
  return {
    name: NAME,
    async balance(nodes, signal) {
      const infos = nodes.map((n) => nodeInfo(n, handle.podsOnNode(n.metadata?.name ?? ''), names));
      let low: Percentages = args.thresholds;
      let high: Percentages = args.targetThresholds;
      if (args.useDeviationThresholds) {
        const avg: Percentages = {};
        for (const n of names) avg[n] = infos.reduce((s, i) => s + percentages(i)[n]!, 0) / Math.max(infos.length, 1);
        low = Object.fromEntries(names.map((n) => [n, Math.max(avg[n]! - args.thresholds[n]!, 0)]));
        high = Object.fromEntries(names.map((n) => [n, Math.min(avg[n]! + args.targetThresholds[n]!, 100)]));
      }
      const lowNodes = infos.filter((i) => !i.node.spec?.unschedulable && below(percentages(i), low));
      const sources = infos.filter((i) => above(percentages(i), high));
      if (lowNodes.length === 0) return void handle.log.info('No node is underutilized, nothing to do here, you might tune your thresholds further');
      if (lowNodes.length <= args.numberOfNodes) return void handle.log.info({ underutilizedNodes: lowNodes.length, numberOfNodes: args.numberOfNodes }, 'Number of nodes underutilized is less or equal than NumberOfNodes, nothing to do here');
      if (lowNodes.length === nodes.length) return void handle.log.info('All nodes are underutilized, nothing to do here');
      if (sources.length === 0) return void handle.log.info('All nodes are under target utilization, nothing to do here');
      // Room left on the underutilized nodes before they reach their targets.
      const available: Record<string, number> = {};
      for (const n of names) available[n] = lowNodes.reduce((s, i) => s + Math.max((high[n]! * i.capacity[n]!) / 100 - i.usage[n]!, 0), 0);
      handle.log.info({ available }, 'Total capacity to be moved');
      sources.sort((a, b) => total(b) - total(a));
      for (const src of sources) {
        const pods = sortPodsLowToHigh(handle.podsOnNode(src.name).filter((p: Pod) => !isTerminal(p) && excluded(p) && handle.evictor.filter(p)));
        for (const pod of pods) {
          if (signal.aborted) return;
          if (!above(percentages(src), high) || names.some((n) => available[n]! <= 0)) break;
          const r = await handle.evictor.evict(pod, { strategy: NAME });
          if (r === 'total-limit') return;
          if (r === 'node-limit') break;
          if (r !== 'evicted') continue;
          const take = podAmounts(pod, names);
          for (const n of names) {
            src.usage[n]! -= take[n]!;
            available[n]! -= take[n]!;
          }
        }
      }
    },
  };
}

const total = (i: NodeInfo) => Object.values(percentages(i)).reduce((s, v) => s + v, 0);

export const descriptor: PluginDescriptor<LowNodeUtilizationArgs> = { name: NAME, extensionPoints: ['balance'], defaults, validate, create };
