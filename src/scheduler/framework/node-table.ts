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
/** The node has a PreferNoSchedule taint (TaintToleration scores it). */
export const ROW_PREFER_NO_SCHEDULE_TAINT = 8;

/** The ROW_*_TAINT bits of a node's taints. */
const taintFlags = (taints: readonly Taint[] | undefined): number => {
  let f = 0;
  if (taints) {
    for (const t of taints) {
      if (t.effect === 'NoSchedule' || t.effect === 'NoExecute') f |= ROW_DO_NOT_SCHEDULE_TAINT;
      else if (t.effect === 'PreferNoSchedule') f |= ROW_PREFER_NO_SCHEDULE_TAINT;
    }
  }
  return f;
};

// Columns of a row: ROW_SIZE doubles side by side, so the numbers a plugin reads for one node
// share a cache line or two (the nodes of a cycle are spread over the whole table).
/** The NodeInfo generation the row was written at (-1: not written). */
export const COL_GENERATION = 0;
// Copies of the NodeInfo's cpu and memory numbers (Filter compares with allocatable - requested,
// Score reads the requested or non-zero requested sums and allocatable).
export const COL_ALLOC_CPU = 1;
export const COL_ALLOC_MEMORY = 2;
export const COL_REQUESTED_CPU = 3;
export const COL_REQUESTED_MEMORY = 4;
export const COL_NONZERO_CPU = 5;
export const COL_NONZERO_MEMORY = 6;
/** allocatable pods - pods on the node. */
export const COL_FREE_PODS = 7;
export const ROW_SIZE = 8;

export class NodeTable {
  /** Row r's columns are rows[r * ROW_SIZE + COL_*]. */
  rows = new Float64Array(0);
  /** Flag bits (ROW_*) per row. */
  flags = new Uint8Array(0);
  private capacity = 0;
  private size = 0;
  private readonly released: number[] = [];

  /** Gives ni a row (unwritten). */
  add(ni: NodeInfo): void {
    let slot = this.released.pop();
    if (slot === undefined) {
      slot = this.size++;
      if (slot >= this.capacity) this.grow(Math.max(64, slot * 2));
    }
    this.rows[slot * ROW_SIZE + COL_GENERATION] = -1;
    ni.table = this;
    ni.tableSlot = slot;
  }

  /** Takes ni's row back (the NodeInfo left the snapshot). */
  remove(ni: NodeInfo): void {
    if (ni.table !== this) return;
    this.rows[ni.tableSlot * ROW_SIZE + COL_GENERATION] = -1;
    this.released.push(ni.tableSlot);
    ni.table = undefined;
    ni.tableSlot = -1;
  }

  /** Column `col` of row `slot`. */
  get(slot: number, col: number): number {
    return this.rows[slot * ROW_SIZE + col]!;
  }

  /** Rewrites ni's row from ni. */
  write(slot: number, ni: NodeInfo): void {
    const node = ni.node;
    const alloc = ni.allocatable;
    const rows = this.rows;
    const o = slot * ROW_SIZE;
    rows[o + COL_ALLOC_CPU] = alloc.milliCPU;
    rows[o + COL_ALLOC_MEMORY] = alloc.memory;
    rows[o + COL_REQUESTED_CPU] = ni.requested.milliCPU;
    rows[o + COL_REQUESTED_MEMORY] = ni.requested.memory;
    rows[o + COL_NONZERO_CPU] = ni.nonZeroRequested.milliCPU;
    rows[o + COL_NONZERO_MEMORY] = ni.nonZeroRequested.memory;
    rows[o + COL_FREE_PODS] = alloc.allowedPodNumber - ni.pods.length;
    let f = 0;
    if (!node) f |= ROW_NO_NODE;
    else {
      if (node.spec?.unschedulable) f |= ROW_UNSCHEDULABLE;
      f |= taintFlags(node.spec?.taints);
    }
    this.flags[slot] = f;
    rows[o + COL_GENERATION] = ni.generation;
  }

  private grow(capacity: number): void {
    const rows = new Float64Array(capacity * ROW_SIZE);
    rows.set(this.rows);
    this.rows = rows;
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    this.capacity = capacity;
  }
}

/** ni's row in its table, rewritten first if ni changed since; -1 when ni has none (take the full path). */
export function nodeRow(ni: NodeInfo): number {
  const t = ni.table;
  if (t === undefined) return -1;
  const slot = ni.tableSlot;
  if (t.rows[slot * ROW_SIZE + COL_GENERATION] !== ni.generation) t.write(slot, ni);
  return slot;
}
