// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1), the parts k8ts uses, after
// defaulting. Field names are upstream's so an existing config file reads the same. Extender
// entries are the extender client's type.
import type { ExtenderConfig } from '../extender/config.js';

export type { ExtenderConfig };

export interface PluginRef {
  name: string;
  /** Score weight (score and multiPoint only); 0 or absent means 1. */
  weight?: number;
}

export interface PluginSet {
  enabled: PluginRef[];
  disabled: PluginRef[];
}

export const EXTENSION_POINTS = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
] as const;

export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export type Plugins = Record<ExtensionPoint | 'multiPoint', PluginSet>;

export interface PluginConfig {
  name: string;
  args?: Record<string, unknown>;
}

export interface Profile {
  schedulerName: string;
  /** Overrides the configuration-wide value for this profile (0..100; 0 = adaptive). */
  percentageOfNodesToScore?: number;
  plugins: Plugins;
  pluginConfig: PluginConfig[];
}

export interface SchedulerConfiguration {
  /** 0 = adaptive (50 - nodes/125, at least 5%, at least 100 nodes). */
  percentageOfNodesToScore: number;
  podInitialBackoffSeconds: number;
  podMaxBackoffSeconds: number;
  profiles: Profile[];
  extenders: ExtenderConfig[];
}
