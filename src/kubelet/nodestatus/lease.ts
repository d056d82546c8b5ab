// The node's heartbeat (upstream pkg/kubelet/nodelease): a Lease named after the node in
// kube-node-lease, owned by the Node, renewed every `renewIntervalMs` (10 s) with
// leaseDurationSeconds 40. A failed renewal is retried at the next tick.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';

export const leaseNamespace = 'kube-node-lease';

export interface NodeLeaseOptions {
  client: Client;
  nodeName: string;
  nodeUid(): string | undefined;
  log: Logger;
  renewIntervalMs?: number;
  leaseDurationSeconds?: number;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class NodeLease {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private renewing?: Promise<void>;

  constructor(private readonly o: NodeLeaseOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.renewing = this.renew()
        .then(() => undefined)
        .catch((err: unknown) => this.o.log.warn({ err }, 'cannot renew node lease'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.o.renewIntervalMs ?? 10_000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.renewing;
  }

  async renew(): Promise<Lease> {
    const leases = this.o.client.resource(resources.leases, leaseNamespace);
    const now = microTime(Date.now());
    let existing: Lease | undefined;
    try {
      existing = await leases.get(this.o.nodeName);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
    const uid = this.o.nodeUid();
    const ownerReferences = uid ? [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid }] : undefined;
    if (!existing) {
      return leases.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.o.nodeName, namespace: leaseNamespace, ownerReferences },
        spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: now },
      });
    }
    return leases.update({
      ...existing,
      metadata: { ...existing.metadata, ownerReferences: existing.metadata?.ownerReferences?.length ? existing.metadata.ownerReferences : ownerReferences },
      spec: { ...existing.spec, holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 40, renewTime: now },
    } as Lease & KubeObject);
  }
}
