// The in-tree plugin registry (upstream plugins/registry.go): plugin name → factory, one entry
// per folder under plugins/. Profiles name plugins; the framework runtime builds them from here.
import type { PluginFactory } from '../framework/types.js';
import * as defaultBinder from './default-binder/index.js';
import * as defaultPreemption from './default-preemption/index.js';
import * as imageLocality from './image-locality/index.js';
import * as interPodAffinity from './inter-pod-affinity/index.js';
import * as nodeAffinity from './node-affinity/index.js';
import * as nodeName from './node-name/index.js';
import * as nodePorts from './node-ports/index.js';
import * as nodeResourcesBalancedAllocation from './node-resources-balanced-allocation/index.js';
import * as nodeResourcesFit from './node-resources-fit/index.js';
import * as nodeUnschedulable from './node-unschedulable/index.js';
import * as podTopologySpread from './pod-topology-spread/index.js';
import * as prioritySort from './priority-sort/index.js';
import * as schedulingGates from './scheduling-gates/index.js';
import * as taintToleration from './taint-toleration/index.js';

export type Registry = ReadonlyMap<string, PluginFactory>;

const modules: { NAME: string; factory: PluginFactory }[] = [
  prioritySort,
  schedulingGates,
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  podTopologySpread,
  interPodAffinity,
  defaultPreemption,
  nodeResourcesBalancedAllocation,
  imageLocality,
  defaultBinder,
];

/** Every in-tree plugin. */
export function inTreeRegistry(): Registry {
  return new Map(modules.map((m) => [m.NAME, m.factory]));
}

/** The in-tree registry plus out-of-tree plugins (names must not collide). */
export function mergeRegistries(base: Registry, extra: Record<string, PluginFactory>): Registry {
  const out = new Map(base);
  for (const [name, f] of Object.entries(extra)) {
    if (out.has(name)) throw new Error(`a plugin named ${name} already exists`);
    out.set(name, f);
  }
  return out;
}
