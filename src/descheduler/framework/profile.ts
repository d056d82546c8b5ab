// A profile built for one pass (upstream pkg/framework/profile): its plugins created from the
// registry with their args, and the evictor its plugins share — its filter and
// preEvictionFilter plugins in front of the pass's PodEvictor (and its limits).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Profile } from '../policy/types.js';
import type { Registry } from '../plugins/registry.js';
import { podRef, type PodEvictor } from '../evictor.js';
import { strategyDuration } from '../metrics.js';
import type { Handle, Plugin, ProfileEvictor } from './types.js';

export interface BuiltProfile {
  name: string;
  deschedule(nodes: readonly Node[], signal: AbortSignal): Promise<void>;
  balance(nodes: readonly Node[], signal: AbortSignal): Promise<void>;
}

export async function buildProfile(profile: Profile, registry: Registry, base: Omit<Handle, 'evictor'>, podEvictor: PodEvictor): Promise<BuiltProfile> {
  const filters: Plugin[] = [];
  const preFilters: Plugin[] = [];
  const evictor: ProfileEvictor = {
    filter: (pod: Pod) => !podEvictor.evicted.has(podRef(pod)) && filters.every((f) => f.filter!(pod)),
    preEvictionFilter: (pod: Pod) => preFilters.every((f) => f.preEvictionFilter!(pod)),
    async evict(pod, opts) {
      if (!evictor.preEvictionFilter(pod)) return 'skipped';
      return podEvictor.evictPod(pod, { ...opts, profile: profile.name });
    },
    nodeLimitExceeded: (n) => podEvictor.nodeLimitExceeded(n),
    totalLimitExceeded: () => podEvictor.totalLimitExceeded(),
  };
  const handle: Handle = { ...base, evictor, log: base.log.child({ profile: profile.name }) };
  const built = new Map<string, Plugin>();
  const plugin = async (name: string) => {
    let p = built.get(name);
    if (!p) {
      const d = registry.get(name)!;
      const args = profile.pluginConfig.find((c) => c.name === name)?.args ?? (d.defaults({}) as Record<string, unknown>);
      built.set(name, (p = await d.create(args, { ...handle, log: handle.log.child({ plugin: name }) })));
    }
    return p;
  };
  for (const n of profile.plugins.filter.enabled) filters.push(await plugin(n));
  for (const n of profile.plugins.preEvictionFilter.enabled) preFilters.push(await plugin(n));
  const run = async (names: string[], point: 'deschedule' | 'balance', nodes: readonly Node[], signal: AbortSignal) => {
    for (const name of names) {
      if (signal.aborted || podEvictor.totalLimitExceeded()) return;
      const p = await plugin(name);
      const end = strategyDuration.startTimer({ strategy: name, profile: profile.name });
      const before = podEvictor.totalEvicted();
      try {
        await p[point]!(nodes, signal);
      } catch (err) {
        handle.log.error({ err, plugin: name, extensionPoint: point }, 'plugin failed');
      }
      end();
      handle.log.debug({ plugin: name, evicted: podEvictor.totalEvicted() - before }, `${point} plugin done`);
    }
  };
  return {
    name: profile.name,
    deschedule: (nodes, signal) => run(profile.plugins.deschedule.enabled, 'deschedule', nodes, signal),
    balance: (nodes, signal) => run(profile.plugins.balance.enabled, 'balance', nodes, signal),
  };
}
