// Writes what the scheduler tells users on the pod itself (upstream schedule_one.go updatePod):
// the PodScheduled condition and status.nominatedNodeName, through the pods/status subresource,
// only when something changed.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';

/** Upstream's cap on messages in events and conditions. */
export const MAX_MESSAGE_BYTES = 1024;

export function truncateMessage(msg: string): string {
  if (Buffer.byteLength(msg) <= MAX_MESSAGE_BYTES) return msg;
  const suffix = ' ...';
  let s = msg.slice(0, MAX_MESSAGE_BYTES - suffix.length);
  while (Buffer.byteLength(s) > MAX_MESSAGE_BYTES - suffix.length) s = s.slice(0, -1);
  return s + suffix;
}

/**
 * Patches the condition (and nominatedNodeName when `nominatedNodeName` is given and differs);
 * false when nothing needed writing. The transition time changes only when the status does.
 */
export async function updatePodCondition(client: Client, pod: Pod, condition: PodCondition, nominatedNodeName?: string): Promise<boolean> {
  const old = pod.status?.conditions?.find((c) => c.type === condition.type);
  const sameCondition = old && old.status === condition.status && old.reason === condition.reason && old.message === condition.message;
  const nnnChange = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
  if (sameCondition && !nnnChange) return false;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const cond: PodCondition = {
    ...condition,
    lastProbeTime: null as unknown as string,
    lastTransitionTime: old && old.status === condition.status ? old.lastTransitionTime : now,
  };
  const status: Record<string, unknown> = { conditions: [cond] };
  if (nnnChange) status.nominatedNodeName = nominatedNodeName || null;
  await client.resource(resources.pods).patch(pod.metadata?.name ?? '', { status }, { type: 'strategic', subresource: 'status', namespace: pod.metadata?.namespace });
  return true;
}
