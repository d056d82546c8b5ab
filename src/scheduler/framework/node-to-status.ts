// The per-node result of a failed filtering pass (upstream framework.NodeToStatus): explicit
// statuses for the nodes that were evaluated and rejected, and one shared status for the nodes
// PreFilter narrowed away (absent nodes), so a 5,000-node cluster does not get 5,000 copies.
import type { NodeToStatus } from './types.js';
import { Code, Status } from './status.js';

export class NodeToStatusMap implements NodeToStatus {
  private readonly map = new Map<string, Status>();
  absentNodesStatus: Status | undefined;

  get(nodeName: string): Status | undefined {
    return this.map.get(nodeName) ?? this.absentNodesStatus;
  }

  set(nodeName: string, status: Status): void {
    this.map.set(nodeName, status);
  }

  entries(): Iterable<[string, Status]> {
    return this.map.entries();
  }

  get size(): number {
    return this.map.size;
  }

  /** Nodes whose explicit status says preemption cannot help there. */
  isUnresolvable(nodeName: string): boolean {
    return this.get(nodeName)?.code === Code.UnschedulableAndUnresolvable;
  }
}
