// The descheduler framework's contracts (upstream pkg/framework/types): plugins implement one or
// more extension points — deschedule (evict pods that break a rule), balance (evict pods to even
// out nodes), filter and preEvictionFilter (say which pods may be evicted) — and reach the
// cluster only through the Handle a profile gives them.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../../client/rest/client.js';
import type { ExtensionPoint } from '../policy/types.js';
import type { EvictOptions } from '../evictor.js';

/** What a plugin may use: the pass's snapshot of the cluster and the profile's evictor. */
export interface Handle {
  client: Client;
  log: Logger;
  /** The pods bound to a node in this pass's snapshot (every phase). */
  podsOnNode(nodeName: string): readonly Pod[];
  /** Every node of the pass (ready and matching the policy's nodeSelector). */
  readonly nodes: readonly Node[];
  evictor: ProfileEvictor;
  /** The labels of a namespace (undefined when it is unknown). */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** The value of a PriorityClass, or undefined when there is none of that name. */
  priorityClassValue(name: string): Promise<number | undefined>;
  now(): number;
}

/** The evictor a profile's plugins share: its filter plugins, then the global limits. */
export interface ProfileEvictor {
  /** True when every filter plugin lets the pod be evicted. */
  filter(pod: Pod): boolean;
  /** True when every preEvictionFilter plugin does (run just before the eviction). */
  preEvictionFilter(pod: Pod): boolean;
  /** Evicts through pods/eviction (or pretends to, in dry-run); see EvictResult. */
  evict(pod: Pod, opts: Omit<EvictOptions, 'profile'>): Promise<EvictResult>;
  nodeLimitExceeded(nodeName: string): boolean;
  totalLimitExceeded(): boolean;
}

/**
 * evicted: the API server accepted (or dry-run). skipped: a preEvictionFilter refused, the PDB
 * refused (429), the pod is gone, or another error (logged). The limits say which one was hit:
 * a plugin stops working on a node (node) or stops altogether (total).
 */
export type EvictResult = 'evicted' | 'skipped' | 'node-limit' | 'namespace-limit' | 'total-limit';

export interface Plugin {
  readonly name: string;
  deschedule?(nodes: readonly Node[], signal: AbortSignal): Promise<void>;
  balance?(nodes: readonly Node[], signal: AbortSignal): Promise<void>;
  filter?(pod: Pod): boolean;
  preEvictionFilter?(pod: Pod): boolean;
}

/** A registry entry: how a plugin's args are defaulted and validated, and how it is built. */
export interface PluginDescriptor<A = Record<string, unknown>> {
  name: string;
  extensionPoints: readonly ExtensionPoint[];
  /** The args with upstream's defaults filled in (raw is the pluginConfig's args, or {}). */
  defaults(raw: Record<string, unknown>): A;
  /** Upstream's validation message, or undefined when the args are valid. */
  validate(args: A): string | undefined;
  create(args: A, handle: Handle): Promise<Plugin> | Plugin;
}
