// The in-tree plugin registry (upstream pkg/framework/pluginregistry): name → descriptor, one
// folder per plugin. Policies name plugins; profile.ts builds them from here.
import type { PluginDescriptor } from '../framework/types.js';
import * as defaultEvictor from './default-evictor/index.js';
import * as removeDuplicates from './remove-duplicates/index.js';
import * as lowNodeUtilization from './node-utilization/low.js';
import * as highNodeUtilization from './node-utilization/high.js';
import * as nodeTaints from './remove-pods-violating-node-taints/index.js';
import * as nodeAffinity from './remove-pods-violating-node-affinity/index.js';
import * as antiAffinity from './remove-pods-violating-inter-pod-anti-affinity/index.js';
import * as tooManyRestarts from './remove-pods-having-too-many-restarts/index.js';
import * as podLifeTime from './pod-lifetime/index.js';
import * as removeFailedPods from './remove-failed-pods/index.js';
import * as topologySpread from './remove-pods-violating-topology-spread-constraint/index.js';

export type Registry = ReadonlyMap<string, PluginDescriptor<unknown>>;

const descriptors = [defaultEvictor, removeDuplicates, lowNodeUtilization, highNodeUtilization, nodeTaints, nodeAffinity, antiAffinity, tooManyRestarts, podLifeTime, removeFailedPods, topologySpread].map((m) => m.descriptor as unknown as PluginDescriptor<unknown>);

export function inTreeRegistry(): Registry {
  return new Map(descriptors.map((d) => [d.name, d]));
}
