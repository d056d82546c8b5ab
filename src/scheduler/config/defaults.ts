// Upstream's default profile (pkg/scheduler/apis/config/v1/default_plugins.go) and the merge of
// a user's plugin sets into it (mergePluginSet): disabled names (or "*") drop defaults, an
// enabled default re-configured by the user keeps its place with the user's settings, other
// user plugins are appended.
import { EXTENSION_POINTS, type PluginRef, type PluginSet, type Plugins, type Profile, type SchedulerConfiguration } from './types.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** Upstream's default multiPoint list, in order, with score weights. */
export const DEFAULT_MULTI_POINT: readonly PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeRestrictions' },
  { name: 'NodeVolumeLimits' },
  { name: 'VolumeBinding' },
  { name: 'VolumeZone' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

/** Default plugins k8ts does not implement (volumes): dropped silently from the default profile. */
export const UNIMPLEMENTED_DEFAULT_PLUGINS = new Set(['VolumeRestrictions', 'NodeVolumeLimits', 'VolumeBinding', 'VolumeZone']);

const emptySet = (): PluginSet => ({ enabled: [], disabled: [] });

export function emptyPlugins(): Plugins {
  const p = { multiPoint: emptySet() } as Plugins;
  for (const e of EXTENSION_POINTS) p[e] = emptySet();
  return p;
}

/** The default plugins, limited to those the registry knows (missing defaults are skipped). */
export function defaultPlugins(known: (name: string) => boolean): Plugins {
  const p = emptyPlugins();
  p.multiPoint.enabled = DEFAULT_MULTI_POINT.filter((r) => known(r.name)).map((r) => ({ ...r }));
  return p;
}

export function mergePluginSet(defaults: PluginSet, custom: PluginSet | undefined): PluginSet {
  if (!custom) return defaults;
  const disabled = [...custom.disabled, ...defaults.disabled].map((d) => ({ name: d.name }));
  const disabledNames = new Set(disabled.map((d) => d.name));
  const customByName = new Map(custom.enabled.map((p, i) => [p.name, { p, i }]));
  const replaced = new Set<number>();
  const enabled: PluginRef[] = [];
  if (!disabledNames.has('*')) {
    for (const d of defaults.enabled) {
      if (disabledNames.has(d.name)) continue;
      const c = customByName.get(d.name);
      if (c) {
        replaced.add(c.i);
        enabled.push(c.p);
      } else enabled.push(d);
    }
  }
  custom.enabled.forEach((p, i) => {
    if (!replaced.has(i)) enabled.push(p);
  });
  return { enabled, disabled };
}

export function mergePlugins(defaults: Plugins, custom: Partial<Plugins> | undefined): Plugins {
  if (!custom) return defaults;
  const out = emptyPlugins();
  for (const k of ['multiPoint', ...EXTENSION_POINTS] as const) out[k] = mergePluginSet(defaults[k], custom[k]);
  return out;
}

export function defaultProfile(known: (name: string) => boolean): Profile {
  return { schedulerName: DEFAULT_SCHEDULER_NAME, plugins: defaultPlugins(known), pluginConfig: [] };
}

export function defaultConfiguration(known: (name: string) => boolean): SchedulerConfiguration {
  return {
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
    profiles: [defaultProfile(known)],
    extenders: [],
  };
}
