// The DeschedulerPolicy of descheduler/v1alpha2 (upstream pkg/api/v1alpha2/types.go), as it is
// after defaulting: profiles of plugins at four extension points, each plugin's args as plain
// JSON (a plugin's own args.ts reads and validates them), and the global eviction limits.
export const POLICY_API_VERSION = 'descheduler/v1alpha2';
export const POLICY_KIND = 'DeschedulerPolicy';

export interface PluginSet {
  enabled: string[];
  disabled: string[];
}

export type ExtensionPoint = 'deschedule' | 'balance' | 'filter' | 'preEvictionFilter';
export const EXTENSION_POINTS: readonly ExtensionPoint[] = ['deschedule', 'balance', 'filter', 'preEvictionFilter'];

export interface PluginConfig {
  name: string;
  args: Record<string, unknown>;
}

export interface Profile {
  name: string;
  pluginConfig: PluginConfig[];
  plugins: Record<ExtensionPoint, PluginSet>;
}

export interface DeschedulerPolicy {
  profiles: Profile[];
  /** A label selector (string form) of the nodes to work on; all nodes when unset. */
  nodeSelector?: string;
  maxNoOfPodsToEvictPerNode?: number;
  maxNoOfPodsToEvictPerNamespace?: number;
  maxNoOfPodsToEvictTotal?: number;
  /** Passed on each Eviction's DeleteOptions when set. */
  gracePeriodSeconds?: number;
}
