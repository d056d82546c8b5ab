// The per-node result of a failed filtering pass (upstream framework.NodeToStatus): explicit
// statuses for the nodes that were evaluated and rejected, and one shared status for the nodes
// PreFilter narrowed away (absent nodes), so a 5,000-node cluster does not get 5,000 copies.
//
// Filter records a status for every rejected node of every cycle, but the map is read only when
// the pod fits nowhere (the FitError message, preemption): so set() appends to two arrays and
// the Map is built on the first read. Reads see exactly what a Map written in order would hold.
import type { NodeToStatus } from './types.js';
import { Code, type Status } from './status.js';

export class NodeToStatusMap implements NodeToStatus {
  /** Made on the first read (most cycles never read it). */
  private map: Map<string, Status> | undefined;
  /** set() calls not yet in the map, in order. */
  private pendingNames: string[] = [];
  private pendingStatuses: Status[] = [];
  absentNodesStatus: Status | undefined;

  get(nodeName: string): Status | undefined {
    return this.built().get(nodeName) ?? this.absentNodesStatus;
  }

  set(nodeName: string, status: Status): void {
    this.pendingNames.push(nodeName);
    this.pendingStatuses.push(status);
  }

  entries(): Iterable<[string, Status]> {
    return this.built().entries();
  }

  get size(): number {
    return this.built().size;
  }

  /** Nodes whose explicit status says preemption cannot help there. */
  isUnresolvable(nodeName: string): boolean {
    return this.get(nodeName)?.code === Code.UnschedulableAndUnresolvable;
  }

  private built(): Map<string, Status> {
    const map = (this.map ??= new Map());
    const names = this.pendingNames;
    if (names.length) {
      const statuses = this.pendingStatuses;
      for (let i = 0; i < names.length; i++) map.set(names[i], statuses[i]);
      this.pendingNames = [];
      this.pendingStatuses = [];
    }
    return map;
  }
}
