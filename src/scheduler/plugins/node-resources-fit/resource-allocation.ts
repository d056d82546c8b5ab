// The machinery NodeResourcesFit's scoring strategies and NodeResourcesBalancedAllocation share
// (upstream noderesources/resource_allocation.go): the pod's request per configured resource,
// computed once in PreScore, and per node the (allocatable, requested + pod) pair each resource
// is scored on. Fit scores cpu/memory with "non-zero" requests (100m / 200Mi for containers that
// request nothing) so best-effort pods still spread; BalancedAllocation uses the real requests.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/node-info.js';
import { ROW_NO_NODE, nodeRow } from '../../framework/node-table.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, isScalarResourceName, podRequests, type Resource } from '../../framework/resource.js';
import type { ResourceSpec } from './args.js';

/** A strategy's per-node function: requested[i] and allocatable[i] for resources[i] (0 = skip). */
export type ResourceScorer = (requested: number[], allocatable: number[]) => number;

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
    const t = row >= 0 && (nodeInfo.table!.flags[row]! & ROW_NO_NODE) === 0 ? nodeInfo.table! : undefined;
    for (let i = 0; i < kinds.length; i++) {
      const podRequest = podRequestList[i]!;
      let alloc = 0;
      let req = 0;
      // (allocatable, node's requested + pod's request); (0, 0) for a scalar the pod does not request or the node lacks.
      if (!(podRequest === 0 && this.scalar[i])) {
        switch (kinds[i]) {
          case Kind.Cpu:
            if (t) {
              alloc = t.allocMilliCPU[row]!;
              req = (this.useRequested ? t.requestedMilliCPU[row]! : t.nonZeroMilliCPU[row]!) + podRequest;
            } else {
              alloc = nodeInfo.allocatable.milliCPU;
              req = (this.useRequested ? nodeInfo.requested : nodeInfo.nonZeroRequested).milliCPU + podRequest;
            }
            break;
          case Kind.Memory:
            if (t) {
              alloc = t.allocMemory[row]!;
              req = (this.useRequested ? t.requestedMemory[row]! : t.nonZeroMemory[row]!) + podRequest;
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
}

export const isBestEffort = (podRequestList: number[]) => podRequestList.every((r) => r === 0);
