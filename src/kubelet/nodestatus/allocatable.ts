// Capacity and allocatable as upstream (cm.GetNodeAllocatableReservation): allocatable =
// capacity − system-reserved − kube-reserved − hard eviction thresholds (memory.available<100Mi,
// nodefs.available<10% by default), floored at zero.
import { toMilli, toValue } from '../../api/validation/quantity.js';
import type { MachineCapacity } from './machine-info.js';

export type ResourceList = Record<string, string>;

/** Parses "cpu=100m,memory=100Mi" (the --system-reserved / --kube-reserved format). */
export function parseReserved(text: string | undefined): ResourceList {
  const out: ResourceList = {};
  for (const part of (text ?? '').split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!k) continue;
    if (!v) throw new Error(`reserved resources: "${part}" is not name=quantity`);
    toValue(v); // validates
    out[k] = v;
  }
  return out;
}

export interface EvictionHard {
  memoryAvailableBytes: number;
  /** Fraction of the node filesystem. */
  nodefsAvailableFraction: number;
}

export const defaultEvictionHard: EvictionHard = { memoryAvailableBytes: 100 * 1024 * 1024, nodefsAvailableFraction: 0.1 };

export function capacityList(cap: MachineCapacity): ResourceList {
  return {
    cpu: formatCpu(cap.milliCpu),
    'ephemeral-storage': `${Math.floor(cap.ephemeralStorageBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.floor(cap.memoryBytes / 1024)}Ki`,
    pods: String(cap.pods),
  };
}

export function allocatableList(cap: MachineCapacity, reserved: ResourceList[], eviction: EvictionHard = defaultEvictionHard): ResourceList {
  const sumMilli = (name: string) => reserved.reduce((n, r) => n + (r[name] ? toMilli(r[name]) : 0), 0);
  const sum = (name: string) => reserved.reduce((n, r) => n + (r[name] ? toValue(r[name]) : 0), 0);
  const cpu = Math.max(0, cap.milliCpu - sumMilli('cpu'));
  const memory = Math.max(0, cap.memoryBytes - sum('memory') - eviction.memoryAvailableBytes);
  const storage = Math.max(0, cap.ephemeralStorageBytes - sum('ephemeral-storage') - Math.floor(cap.ephemeralStorageBytes * eviction.nodefsAvailableFraction));
  return {
    cpu: formatCpu(cpu),
    'ephemeral-storage': String(storage),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: memory % 1024 === 0 ? `${memory / 1024}Ki` : String(memory),
    pods: String(Math.max(0, cap.pods - sum('pods'))),
  };
}

function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
