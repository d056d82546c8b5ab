// A descheduler test rig: a real API server in-process (no mocks), nodes created as API objects
// and marked Ready through nodes/status (no node agent), pods created bound to them and marked
// Running through pods/status, then one descheduling pass with a policy.
import { Writable } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { createLogger } from '../../src/util/log.js';
import { policyFrom } from '../../src/descheduler/policy/load.js';
import { inTreeRegistry } from '../../src/descheduler/plugins/registry.js';
import { runDescheduler } from '../../src/descheduler/start.js';
import type { PassResult } from '../../src/descheduler/descheduler.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

export interface Rig {
  api: InProcessApi;
  client: Client;
  node(name: string, opts?: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Node['spec'] extends infer S ? S extends { taints?: infer T } ? T : never : never; unschedulable?: boolean }): Promise<void>;
  pod(name: string, nodeName: string, opts?: { owner?: string; ownerKind?: string; labels?: Record<string, string>; cpu?: string; spec?: Partial<Pod['spec']>; status?: Pod['status']; annotations?: Record<string, string>; namespace?: string; created?: string }): Promise<Pod>;
  /** One pass with this policy document (defaults: apiVersion and kind filled in). */
  deschedule(policy: Record<string, unknown>, opts?: { dryRun?: boolean }): Promise<PassResult>;
  /** Names of pods that were evicted (deleting or gone). */
  evicted(namespace?: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const api = await startInProcessApi({ rootCA: false });
  const client = api.client();
  const log = createLogger('descheduler-test', { level: process.env.K8TS_TEST_LOG ?? 'silent', destination: process.env.K8TS_TEST_LOG ? undefined : (silent as never) });
  const created = new Map<string, Set<string>>();
  return {
    api,
    client,
    async node(name, o = {}) {
      const nodes = client.resource(resources.nodes);
      const n = (await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } }, spec: { taints: o.taints, unschedulable: o.unschedulable } })) as Node;
      const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
      await nodes.updateStatus({ ...n, status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString(), reason: 'KubeletReady', message: 'ready' }] } } as never);
    },
    async pod(name, nodeName, o = {}) {
      const namespace = o.namespace ?? 'default';
      const pods = client.resource(resources.pods);
      const ownerReferences = o.owner ? [{ apiVersion: 'apps/v1', kind: o.ownerKind ?? 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] : undefined;
      const p = (await pods.create(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace, labels: o.labels, annotations: o.annotations, ownerReferences },
          spec: { nodeName, containers: [{ name: 'c', image: 'sleep', resources: o.cpu ? { requests: { cpu: o.cpu } } : undefined }], ...o.spec },
        },
        { namespace },
      )) as Pod;
      const status = o.status ?? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], startTime: new Date().toISOString() };
      const updated = await pods.updateStatus({ ...p, status } as never, { namespace });
      let set = created.get(namespace);
      if (!set) created.set(namespace, (set = new Set()));
      set.add(name);
      return updated as Pod;
    },
    async deschedule(doc, opts = {}) {
      const policy = policyFrom({ apiVersion: 'descheduler/v1alpha2', kind: 'DeschedulerPolicy', ...doc }, inTreeRegistry());
      let result: PassResult | undefined;
      await runDescheduler({ client, log, policy, intervalMs: 0, dryRun: opts.dryRun ?? false, onPass: (r) => (result = r) }, new AbortController().signal);
      return result!;
    },
    async evicted(namespace = 'default') {
      const items = (await client.resource(resources.pods).list({ namespace })).items as Pod[];
      const alive = new Set(items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? ''));
      return [...(created.get(namespace) ?? [])].filter((n) => !alive.has(n)).sort();
    },
    async close() {
      await client.close();
      await api.close();
    },
  };
}

/** A one-profile policy enabling `plugin` at `point` with `args`. */
export function onePlugin(plugin: string, point: 'deschedule' | 'balance', args: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, evictorArgs?: Record<string, unknown>): Record<string, unknown> {
  return {
    profiles: [{ name: 'p', pluginConfig: [{ name: plugin, args }, ...(evictorArgs ? [{ name: 'DefaultEvictor', args: evictorArgs }] : [])], plugins: { [point]: { enabled: [plugin] } } }],
    ...extra,
  };
}
