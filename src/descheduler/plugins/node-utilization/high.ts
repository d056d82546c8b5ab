// HighNodeUtilization (upstream plugins/nodeutilization/highnodeutilization.go): the opposite of
// LowNodeUtilization, to pack pods onto fewer nodes (with a scheduler that scores
// MostAllocated): pods are evicted from nodes at or below `thresholds` on every resource, as
// long as the other (schedulable) nodes have room for them.
import type { Handle, Plugin, PluginDescriptor } from '../../framework/types.js';
import { podArgsFilter, sortPodsLowToHigh, isTerminal } from '../../pod-utils.js';
import { nodeInfo, percentages, podAmounts, validateThresholds, type Percentages } from './usage.js';

export const NAME = 'HighNodeUtilization';

export interface HighNodeUtilizationArgs {
  thresholds: Percentages;
  numberOfNodes: number;
  evictableNamespaces?: { exclude?: string[] };
}

function defaults(raw: Record<string, unknown>): HighNodeUtilizationArgs {
  const r = raw as Partial<HighNodeUtilizationArgs>;
  const thresholds = { ...(r.thresholds ?? {}) };
  if (Object.keys(thresholds).length) for (const n of ['cpu', 'memory', 'pods']) thresholds[n] ??= 100;
  return { ...r, thresholds, numberOfNodes: r.numberOfNodes ?? 0 };
}

function validate(args: HighNodeUtilizationArgs): string | undefined {
  const t = validateThresholds(args.thresholds);
  return t ? `thresholds config is not valid: ${t}` : undefined;
}

function create(args: HighNodeUtilizationArgs, handle: Handle): Plugin {
  const names = Object.keys(args.thresholds);
  const excluded = podArgsFilter({ exclude: args.evictableNamespaces?.exclude }, undefined);
  const under = (p: Percentages) => names.every((n) => (p[n] ?? 0) <= args.thresholds[n]!);
  return {
    name: NAME,
    async balance(nodes, signal) {
      const infos = nodes.map((n) => nodeInfo(n, handle.podsOnNode(n.metadata?.name ?? ''), names));
      const sources = infos.filter((i) => under(percentages(i)));
      const targets = infos.filter((i) => !under(percentages(i)) && !i.node.spec?.unschedulable);
      if (sources.length === 0) return void handle.log.info('No node is underutilized, nothing to do here, you might tune your thresholds further');
      if (sources.length <= args.numberOfNodes) return void handle.log.info({ underutilizedNodes: sources.length, numberOfNodes: args.numberOfNodes }, 'Number of nodes underutilized is less or equal than NumberOfNodes, nothing to do here');
      if (sources.length === infos.length) return void handle.log.info('All nodes are underutilized, nothing to do here');
      if (targets.length === 0) return void handle.log.info('No node is available to schedule the pods, nothing to do here');
      const available: Record<string, number> = {};
      for (const n of names) available[n] = targets.reduce((s, i) => s + Math.max(i.capacity[n]! - i.usage[n]!, 0), 0);
      handle.log.info({ available }, 'Total capacity to be moved');
      // Least used first: emptying them frees whole nodes soonest.
      sources.sort((a, b) => Object.values(percentages(a)).reduce((s, v) => s + v, 0) - Object.values(percentages(b)).reduce((s, v) => s + v, 0));
      for (const src of sources) {
        const pods = sortPodsLowToHigh(handle.podsOnNode(src.name).filter((p) => !isTerminal(p) && excluded(p) && handle.evictor.filter(p)));
        for (const pod of pods) {
          if (signal.aborted) return;
          const take = podAmounts(pod, names);
          if (names.some((n) => available[n]! < take[n]!)) break;
          const r = await handle.evictor.evict(pod, { strategy: NAME });
          if (r === 'total-limit') return;
          if (r === 'node-limit') break;
          if (r === 'evicted') for (const n of names) available[n]! -= take[n]!;
        }
      }
    },
  };
}

export const descriptor: PluginDescriptor<HighNodeUtilizationArgs> = { name: NAME, extensionPoints: ['balance'], defaults, validate, create };
