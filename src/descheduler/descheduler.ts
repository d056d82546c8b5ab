// One descheduling pass (upstream descheduler.go runDeschedulerLoop/runProfiles): a snapshot of
// the ready nodes matching the policy's nodeSelector and of every pod, read with consistent
// LISTs; a PodEvictor with fresh counters; every profile's deschedule plugins, then every
// profile's balance plugins. With one node or none nothing is evicted (upstream aborts: an
// eviction would only disrupt).
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { KubeObject } from '../api/object.js';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import { resourceRef } from '../client/rest/resource-ref.js';
import type { EventRecorder } from '../client/events/index.js';
import { matchesLabels, parseLabelSelector } from '../api/selectors/labels.js';
import { isStatusError } from '../api/status.js';
import type { DeschedulerPolicy } from './policy/types.js';
import type { Registry } from './plugins/registry.js';
import { PodEvictor } from './evictor.js';
import { buildProfile } from './framework/profile.js';
import { isNodeReady } from './node-fit.js';
import { loopDuration } from './metrics.js';

const priorityClasses = resourceRef<PriorityClass & KubeObject>({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses', kind: 'PriorityClass', namespaced: false });

export interface PassOptions {
  client: Client;
  log: Logger;
  recorder: EventRecorder;
  policy: DeschedulerPolicy;
  registry: Registry;
  dryRun: boolean;
  now?: () => number;
}

export interface PassResult {
  evicted: number;
  nodes: number;
}

export async function runDeschedulingPass(opts: PassOptions, signal: AbortSignal): Promise<PassResult> {
  const end = loopDuration.startTimer({ type: opts.dryRun ? 'dry' : 'non-dry' });
  const { client, log, policy } = opts;
  const selector = policy.nodeSelector ? parseLabelSelector(policy.nodeSelector) : undefined;
  const [nodeList, podList, nsList] = await Promise.all([client.resource(resources.nodes).listAll(), client.resource(resources.pods).listAll(), client.resource(resources.namespaces).listAll()]);
  const nodes = (nodeList.items as Node[]).filter((n) => isNodeReady(n) && (!selector || matchesLabels(selector, n.metadata?.labels)));
  if (nodes.length <= 1) {
    log.info({ nodes: nodes.length }, 'The cluster size is 0 or 1 meaning eviction causes service disruption or degradation. So aborting..');
    end();
    return { evicted: 0, nodes: nodes.length };
  }
  const byNode = new Map<string, Pod[]>();
  for (const p of podList.items as Pod[]) {
    const n = p.spec?.nodeName;
    if (!n) continue;
    let list = byNode.get(n);
    if (!list) byNode.set(n, (list = []));
    list.push(p);
  }
  const nsLabels = new Map((nsList.items as Namespace[]).map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  const podEvictor = new PodEvictor({
    client,
    log,
    recorder: opts.recorder,
    dryRun: opts.dryRun,
    maxPodsToEvictPerNode: policy.maxNoOfPodsToEvictPerNode,
    maxPodsToEvictPerNamespace: policy.maxNoOfPodsToEvictPerNamespace,
    maxPodsToEvictTotal: policy.maxNoOfPodsToEvictTotal,
    gracePeriodSeconds: policy.gracePeriodSeconds,
  });
  const now = opts.now ?? Date.now;
  const base = {
    client,
    log,
    nodes,
    now,
    podsOnNode: (name: string) => byNode.get(name) ?? [],
    namespaceLabels: (name: string) => nsLabels.get(name),
    async priorityClassValue(name: string) {
      try {
        return (await client.resource(priorityClasses).get(name)).value as number;
      } catch (err) {
        if (isStatusError(err) && err.code === 404) return undefined;
        throw err;
      }
    },
  };
  const profiles = [];
  for (const p of policy.profiles) profiles.push(await buildProfile(p, opts.registry, base, podEvictor));
  // Upstream: every profile's deschedule plugins first, then every profile's balance plugins.
  for (const p of profiles) await p.deschedule(nodes, signal);
  for (const p of profiles) await p.balance(nodes, signal);
  end();
  log.info({ totalEvicted: podEvictor.totalEvicted(), dryRun: opts.dryRun }, 'Number of evicted pods');
  return { evicted: podEvictor.totalEvicted(), nodes: nodes.length };
}
