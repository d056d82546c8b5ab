// Eviction signals and thresholds (upstream pkg/kubelet/eviction/api/types.go and the tables at
// the top of helpers.go): which signal maps to which node condition and which resource, and the
// texts the kubelet writes into pod statuses and events.
import type { Quantity } from '../../api/validation/quantity.js';

export type Signal =
  | 'memory.available'
  | 'allocatableMemory.available'
  | 'nodefs.available'
  | 'nodefs.inodesFree'
  | 'imagefs.available'
  | 'imagefs.inodesFree'
  | 'containerfs.available'
  | 'containerfs.inodesFree'
  | 'pid.available';

export type NodeConditionType = 'MemoryPressure' | 'DiskPressure' | 'PIDPressure';

/** The resource an eviction reclaims; inodes and pids are internal to the eviction manager. */
export type ReclaimResource = 'memory' | 'ephemeral-storage' | 'inodes' | 'pids';

export const signalToNodeCondition: Record<Signal, NodeConditionType> = {
  'memory.available': 'MemoryPressure',
  'allocatableMemory.available': 'MemoryPressure',
  'nodefs.available': 'DiskPressure',
  'nodefs.inodesFree': 'DiskPressure',
  'imagefs.available': 'DiskPressure',
  'imagefs.inodesFree': 'DiskPressure',
  'containerfs.available': 'DiskPressure',
  'containerfs.inodesFree': 'DiskPressure',
  'pid.available': 'PIDPressure',
};

export const signalToResource: Record<Signal, ReclaimResource> = {
  'memory.available': 'memory',
  'allocatableMemory.available': 'memory',
  'nodefs.available': 'ephemeral-storage',
  'nodefs.inodesFree': 'inodes',
  'imagefs.available': 'ephemeral-storage',
  'imagefs.inodesFree': 'inodes',
  'containerfs.available': 'ephemeral-storage',
  'containerfs.inodesFree': 'inodes',
  'pid.available': 'pids',
};

export function validSignal(s: string): s is Signal {
  return Object.prototype.hasOwnProperty.call(signalToResource, s);
}

/** Exactly one of quantity (a literal) and percentage (a fraction of capacity, float32 as upstream). */
export interface ThresholdValue {
  quantity?: Quantity;
  percentage?: number;
}

export interface Threshold {
  signal: Signal;
  operator: 'LessThan';
  value: ThresholdValue;
  /** 0 = a hard threshold. */
  gracePeriodMs: number;
  minReclaim?: ThresholdValue;
}

export const isHardEvictionThreshold = (t: Threshold) => t.gracePeriodMs === 0;

/** status.reason of an evicted pod and the reason of its event. */
export const evictedReason = 'Evicted';
/** Hard evictions give pods this long to stop (upstream immediateEvictionGracePeriodSeconds). */
export const immediateEvictionGracePeriodSeconds = 1;

export const nodeLowMessage = (resource: string) => `The node was low on resource: ${resource}. `;
export const nodeConditionMessage = (conditions: NodeConditionType[]) => `The node had condition: [${conditions.join(' ')}]. `;
export const thresholdMetMessage = (quantity: string, available: string) => `Threshold quantity: ${quantity}, available: ${available}. `;
export const containerMessage = (name: string, usage: string, request: string, resource: string) =>
  `Container ${name} was using ${usage}, request is ${request}, has larger consumption of ${resource}. `;

export const offendingContainersKey = 'offending_containers';
export const offendingContainersUsageKey = 'offending_containers_usage';
export const starvedResourceKey = 'starved_resource';
