// Flat per-node numbers for the Filter plugins' common case (no upstream counterpart). Filter runs
// for hundreds of nodes per pod; reading a NodeInfo's allocatable and requested objects, its pod
// list and node.spec costs a few cache misses per node, while a row here is a few slots in
// arrays that stay hot. The snapshot owns one table and gives each of its NodeInfos a row
// (snapshot.ts). A row records the NodeInfo generation it was written at and is rewritten when
// that differs, so it can never be stale: every change to a NodeInfo changes its generation.
// NodeInfos outside a snapshot (nominated-pods and preemption copies, tests) have no row, and
// the plugins take their full path for them.
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from './node-info.js';

// Flag bits of a row.
/** The NodeInfo has no Node (the plugins' full path reports it). */
export const ROW_NO_NODE = 1;
/** node.spec.unschedulable. */
export const ROW_UNSCHEDULABLE = 2;
/** The node has a NoSchedule or NoExecute taint (TaintToleration must check tolerations). */
export const ROW_DO_NOT_SCHEDULE_TAINT = 4;

const hasDoNotScheduleTaint = (taints: readonly Taint[] | undefined): boolean => {
  if (!taints) return false;
  for (const t of taints) if (t.effect === 'NoSchedule' || t.effect === 'NoExecute') return true;
  return false;
};

export class NodeTable {
  /** The NodeInfo generation each row was written at (-1: not written). */
  generation = new Float64Array(0);
  // Copies of the NodeInfo's cpu and memory numbers (Filter compares with allocatable - requested,
  // Score reads the requested or non-zero requested sums and allocatable).
  allocMilliCPU = new Float64Array(0);
  allocMemory = new Float64Array(0);
  requestedMilliCPU = new Float64Array(0);
  requestedMemory = new Float64Array(0);
  nonZeroMilliCPU = new Float64Array(0);
  nonZeroMemory = new Float64Array(0);
  /** allocatable pods - pods on the node. */
  freePods = new Float64Array(0);
  flags = new Uint8Array(0);
  private size = 0;
  private readonly released: number[] = [];

  /** Gives ni a row (unwritten). */
  add(ni: NodeInfo): void {
    let slot = this.released.pop();
    if (slot === undefined) {
      slot = this.size++;
      if (slot >= this.generation.length) this.grow(Math.max(64, slot * 2));
    }
    this.generation[slot] = -1;
    ni.table = this;
    ni.tableSlot = slot;
  }

  /** Takes ni's row back (the NodeInfo left the snapshot). */
  remove(ni: NodeInfo): void {
    if (ni.table !== this) return;
    this.generation[ni.tableSlot] = -1;
    this.released.push(ni.tableSlot);
    ni.table = undefined;
    ni.tableSlot = -1;
  }

  /** Rewrites ni's row from ni. */
  write(slot: number, ni: NodeInfo): void {
    const node = ni.node;
    const alloc = ni.allocatable;
    this.allocMilliCPU[slot] = alloc.milliCPU;
    this.allocMemory[slot] = alloc.memory;
    this.requestedMilliCPU[slot] = ni.requested.milliCPU;
    this.requestedMemory[slot] = ni.requested.memory;
    this.nonZeroMilliCPU[slot] = ni.nonZeroRequested.milliCPU;
    this.nonZeroMemory[slot] = ni.nonZeroRequested.memory;
    this.freePods[slot] = alloc.allowedPodNumber - ni.pods.length;
    let f = 0;
    if (!node) f |= ROW_NO_NODE;
    else {
      if (node.spec?.unschedulable) f |= ROW_UNSCHEDULABLE;
      if (hasDoNotScheduleTaint(node.spec?.taints)) f |= ROW_DO_NOT_SCHEDULE_TAINT;
    }
    this.flags[slot] = f;
    this.generation[slot] = ni.generation;
  }

  private grow(capacity: number): void {
    const grow64 = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.generation = grow64(this.generation);
    this.allocMilliCPU = grow64(this.allocMilliCPU);
    this.allocMemory = grow64(this.allocMemory);
    this.requestedMilliCPU = grow64(this.requestedMilliCPU);
    this.requestedMemory = grow64(this.requestedMemory);
    this.nonZeroMilliCPU = grow64(this.nonZeroMilliCPU);
    this.nonZeroMemory = grow64(this.nonZeroMemory);
    this.freePods = grow64(this.freePods);
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
  }
}

/** ni's row in its table, rewritten first if ni changed since; -1 when ni has none (take the full path). */
export function nodeRow(ni: NodeInfo): number {
  const t = ni.table;
  if (t === undefined) return -1;
  const slot = ni.tableSlot;
  if (t.generation[slot] !== ni.generation) t.write(slot, ni);
  return slot;
}
