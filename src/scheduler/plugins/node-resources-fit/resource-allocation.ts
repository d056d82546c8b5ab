// The machinery NodeResourcesFit's scoring strategies and NodeResourcesBalancedAllocation share
// (upstream noderesources/resource_allocation.go): the pod's request per configured resource,
// computed once in PreScore, and per node the (allocatable, requested + pod) pair each resource
// is scored on. Fit scores cpu/memory with "non-zero" requests (100m / 200Mi for containers that
// request nothing) so best-effort pods still spread; BalancedAllocation uses the real requests.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { COL_ALLOC_CPU, COL_ALLOC_MEMORY, COL_NONZERO_CPU, COL_NONZERO_MEMORY, COL_REQUESTED_CPU, COL_REQUESTED_MEMORY, ROW_NO_NODE, ROW_SIZE, nodeRow } from '../../framework/node-table.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, isScalarResourceName, podRequests, type Resource } from '../../framework/resource.js';
import type { ResourceSpec } from './args.js';

/** A strategy's per-node function: requested[i] and allocatable[i] for resources[i] (0 = skip). */
export type ResourceScorer = ((requested: number[], allocatable: number[]) => number) & {
  /**
   * The same function for exactly two resources (the default cpu + memory), over n nodes at
   * once: scores[i] is what it returns for [requested0[i], requested1[i]] and [allocatable0[i],
   * allocatable1[i]]. The numbers stay in typed arrays: memory sizes are not small integers, and
   * passed one by one through calls they would be boxed, hundreds of times per pod.
   */
  pairs?: (requested0: Float64Array, allocatable0: Float64Array, requested1: Float64Array, allocatable1: Float64Array, n: number, scores: Float64Array) => void;
};

/** One resource of a Resource by its API name (cpu in millicores). */
export function resourceValue(r: Resource, name: string): number {
  switch (name) {
    case CPU:
      return r.milliCPU;
    case MEMORY:
      return r.memory;
    case EPHEMERAL_STORAGE:
      return r.ephemeralStorage;
    default:
      return r.scalar.get(name) ?? 0;
  }
}

/** How score() reads a configured resource (decided once, not by name per node). */
const enum Kind {
  Cpu,
  Memory,
  EphemeralStorage,
  Scalar,
}

const kindOf = (name: string): Kind => (name === CPU ? Kind.Cpu : name === MEMORY ? Kind.Memory : name === EPHEMERAL_STORAGE ? Kind.EphemeralStorage : Kind.Scalar);

export class ResourceAllocationScorer {
  // Scratch arrays for score(): scoring is synchronous and single-threaded, so one pair serves every node.
  private readonly requestedBuf: number[];
  private readonly allocatableBuf: number[];
  private readonly kinds: Kind[];
  /** scoreNodes' scratch: requested and allocatable of the two resources per node, and the nodes without a row. */
  private columns: Float64Array[] = [];
  private noRow = new Int32Array(0);
  /** Where cpu and memory are in the resources (-1: not scored). */
  private readonly cpuAt: number;
  private readonly memoryAt: number;
  /** Scalars are scored only when the pod requests them (isScalarResourceName, per resource). */
  private readonly scalar: boolean[];

  constructor(
    readonly resources: ResourceSpec[],
    private readonly scorer: ResourceScorer,
    /** true: cpu/memory from real requests (BalancedAllocation); false: non-zero requests (Fit). */
    private readonly useRequested: boolean,
  ) {
    this.requestedBuf = new Array<number>(resources.length).fill(0);
    this.allocatableBuf = new Array<number>(resources.length).fill(0);
    this.kinds = resources.map((r) => kindOf(r.name));
    this.cpuAt = this.kinds.indexOf(Kind.Cpu);
    this.memoryAt = this.kinds.indexOf(Kind.Memory);
    this.scalar = resources.map((r) => isScalarResourceName(r.name));
  }

  /** The pod's request for each configured resource, in order (upstream calculatePodResourceRequestList). */
  podRequestList(pod: Pod): number[] {
    const req = podRequests(pod, { nonZero: !this.useRequested });
    return this.resources.map((r) => resourceValue(req, r.name));
  }

  /** Upstream resourceAllocationScorer.score for one node, given the pod's request list. */
  score(nodeInfo: NodeInfo, podRequestList: number[]): number {
    const requested = this.requestedBuf;
    const allocatable = this.allocatableBuf;
    const kinds = this.kinds;
    // cpu and memory from the node's row in the snapshot's table when it has one (the same
    // numbers, in arrays that stay in cache: Score runs for hundreds of nodes per pod).
    const row = nodeRow(nodeInfo);
    const t = row >= 0 && (nodeInfo.table!.flags[row]! & ROW_NO_NODE) === 0 ? nodeInfo.table!.rows : undefined;
    const o = row * ROW_SIZE;
    for (let i = 0; i < kinds.length; i++) {
      const podRequest = podRequestList[i]!;
      let alloc = 0;
      let req = 0;
      // (allocatable, node's requested + pod's request); (0, 0) for a scalar the pod does not request or the node lacks.
      if (!(podRequest === 0 && this.scalar[i])) {
        switch (kinds[i]) {
          case Kind.Cpu:
            if (t) {
              alloc = t[o + COL_ALLOC_CPU]!;
              req = t[o + (this.useRequested ? COL_REQUESTED_CPU : COL_NONZERO_CPU)]! + podRequest;
            } else {
              alloc = nodeInfo.allocatable.milliCPU;
              req = (this.useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested).milliCPU + podRequest;
            }
            break;
          case Kind.Memory:
            if (t) {
              alloc = t[o + COL_ALLOC_MEMORY]!;
              req = t[o + (this.useRequested ? COL_REQUESTED_MEMORY : COL_NONZERO_MEMORY)]! + podRequest;
            } else {
              alloc = nodeInfo.allocatable.memory;
              req = (this.useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested).memory + podRequest;
            }
            break;
          case Kind.EphemeralStorage:
            alloc = nodeInfo.allocatable.ephemeralStorage;
            req = nodeInfo.requested.ephemeralStorage + podRequest;
            break;
          default: {
            const name = this.resources[i]!.name;
            alloc = nodeInfo.allocatable.scalar.get(name) ?? 0;
            req = alloc === 0 ? 0 : (nodeInfo.requested.scalar.get(name) ?? 0) + podRequest;
          }
        }
      }
      allocatable[i] = alloc;
      requested[i] = alloc === 0 ? 0 : req;
    }
    return this.scorer(requested, allocatable);
  }

  /**
   * score() of each node: scores[i] for nodes[i]. For cpu and memory alone with a two-resource
   * scorer, the nodes with a row in the snapshot's table are scored together from their rows
   * (the same numbers score() reads from them); the others one by one.
   */
  scoreNodes(nodes: readonly NodeInfo[], podRequestList: number[], scores: Float64Array): void {
    const pairs = this.cpuAt >= 0 && this.memoryAt >= 0 && this.kinds.length === 2 ? this.scorer.pairs : undefined;
    const n = nodes.length;
    if (!pairs) {
      for (let i = 0; i < n; i++) scores[i] = this.score(nodes[i]!, podRequestList);
      return;
    }
    if (this.noRow.length < n) this.growColumns(n);
    // Columns in the resources' order: 0 is cpu when cpu comes first.
    const [r0, a0, r1, a1] = this.columns;
    const noRow = this.noRow;
    let withoutRow = 0;
    const cpuFirst = this.cpuAt === 0;
    const podCpu = podRequestList[this.cpuAt]!;
    const podMemory = podRequestList[this.memoryAt]!;
    const cpuCol = this.useRequested ? COL_REQUESTED_CPU : COL_NONZERO_CPU;
    const memoryCol = this.useRequested ? COL_REQUESTED_MEMORY : COL_NONZERO_MEMORY;
    for (let i = 0; i < n; i++) {
      const ni = nodes[i]!;
      const row = nodeRow(ni);
      const t = ni.table;
      let allocCpu = 0;
      let allocMemory = 0;
      let cpu = 0;
      let memory = 0;
      if (row < 0 || (t!.flags[row]! & ROW_NO_NODE) !== 0) noRow[withoutRow++] = i;
      else {
        const rows = t!.rows;
        const o = row * ROW_SIZE;
        allocCpu = rows[o + COL_ALLOC_CPU]!;
        allocMemory = rows[o + COL_ALLOC_MEMORY]!;
        // As score(): requested is 0 where the node has none of the resource.
        cpu = allocCpu === 0 ? 0 : rows[o + cpuCol]! + podCpu;
        memory = allocMemory === 0 ? 0 : rows[o + memoryCol]! + podMemory;
      }
      r0![i] = cpuFirst ? cpu : memory;
      a0![i] = cpuFirst ? allocCpu : allocMemory;
      r1![i] = cpuFirst ? memory : cpu;
      a1![i] = cpuFirst ? allocMemory : allocCpu;
    }
    pairs(r0!, a0!, r1!, a1!, n, scores);
    for (let k = 0; k < withoutRow; k++) scores[noRow[k]!] = this.score(nodes[noRow[k]!]!, podRequestList);
  }

  private growColumns(n: number): void {
    const size = Math.max(n, this.noRow.length * 2);
    this.columns = [new Float64Array(size), new Float64Array(size), new Float64Array(size), new Float64Array(size)];
    this.noRow = new Int32Array(size);
  }
}

export const isBestEffort = (podRequestList: number[]) => podRequestList.every((r) => r === 0);
