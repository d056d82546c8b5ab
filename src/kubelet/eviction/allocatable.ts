// What allocatable subtracts for hard eviction thresholds (upstream hardEvictionReservation):
// the memory.available and nodefs.available hard thresholds, for the node status reporter's
// EvictionHard. A threshold given as a quantity for nodefs is turned into a fraction of capacity.
import type { EvictionHard } from '../nodestatus/allocatable.js';
import { thresholdQuantity } from './observations.js';
import { isHardEvictionThreshold, type Threshold } from './types.js';

export function evictionHardReservation(thresholds: Threshold[], capacity: { memoryBytes: number; nodefsBytes: number }): EvictionHard {
  const nodefsCapacityBytes = capacity.nodefsBytes;
  const hard = thresholds.filter(isHardEvictionThreshold);
  const mem = hard.find((t) => t.signal === 'memory.available');
  const fs = hard.find((t) => t.signal === 'nodefs.available');
  let fraction = 0;
  if (fs?.value.percentage !== undefined) fraction = fs.value.percentage;
  else if (fs && nodefsCapacityBytes > 0) fraction = thresholdQuantity(fs.value, nodefsCapacityBytes) / nodefsCapacityBytes;
  return { memoryAvailableBytes: mem ? thresholdQuantity(mem.value, capacity.memoryBytes) : 0, nodefsAvailableFraction: fraction };
}
