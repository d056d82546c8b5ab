// The lease endpoint reconciler (upstream: pkg/controlplane/reconcilers/lease.go, the default
// --endpoint-reconciler-type): every API server refreshes its master lease, then sets the
// `kubernetes` Endpoints (and EndpointSlice) to the IPs of all live leases. A server that stops
// gracefully deletes its lease and writes the endpoints without itself; one that dies is dropped
// by the others once its lease expires.
//
// Requirement, as upstream's: every API server serves the same port. The endpoints carry one
// port; it is set when a server starts or stops (reconcilePorts) and left alone by the periodic
// passes, so servers on different ports do not fight over it.
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { Endpoints, EndpointPort } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../../api/status.js';
import { skipMirrorLabel, type EndpointsAdapter } from './endpoints-adapter.js';
import type { MasterLeases } from './master-leases.js';

export const kubernetesServiceName = 'kubernetes';
/** Passes started over after lost races before the conflict is left to the next pass. */
const maxAttempts = 5;

export interface EndpointReconciler {
  /** Refreshes this server's presence and sets the endpoints to every live server's IP. */
  reconcileEndpoints(ip: string, ports: EndpointPort[], reconcilePorts: boolean): Promise<void>;
  /** Withdraws this server: its lease, then its IP from the endpoints. */
  removeEndpoints(ip: string, ports: EndpointPort[]): Promise<void>;
  /** Makes every later reconcileEndpoints a no-op; resolves once a pass in progress has finished. */
  stopReconciling(): Promise<void>;
}

export interface SubsetFormat {
  /** Exactly one subset. */
  formatCorrect: boolean;
  /** Its addresses are exactly the expected IPs (in any order, each once). */
  ipsCorrect: boolean;
  /** Its ports equal the expected ones, in order (always true when ports are not reconciled). */
  portsCorrect: boolean;
}

/** Upstream's checkEndpointSubsetFormatWithLease. */
export function checkEndpointSubsetFormatWithLease(e: Endpoints, expectedIPs: readonly string[], ports: readonly EndpointPort[], reconcilePorts: boolean): SubsetFormat {
  if (e.subsets?.length !== 1) return { formatCorrect: false, ipsCorrect: false, portsCorrect: false };
  const sub = e.subsets[0];
  const have = sub.ports ?? [];
  const portsCorrect = !reconcilePorts || (have.length === ports.length && ports.every((p, i) => isDeepStrictEqual(p, have[i])));
  const addresses = sub.addresses ?? [];
  let ipsCorrect = addresses.length === expectedIPs.length;
  if (ipsCorrect) {
    const found = new Map(expectedIPs.map((ip) => [ip, false]));
    for (const a of addresses) {
      if (found.get(a.ip) !== false) {
        ipsCorrect = false;
        break;
      }
      found.set(a.ip, true);
    }
  }
  return { formatCorrect: true, ipsCorrect, portsCorrect };
}

/**
 * What the reconciler writes given the current Endpoints (a copy it may change): undefined when
 * the object is already right. Upstream's doReconcile between its read and its write.
 */
export function reconcileEndpointsObject(e: Endpoints, ips: readonly string[], ports: readonly EndpointPort[], reconcilePorts: boolean): Endpoints | undefined {
  // Don't let the EndpointSlice mirroring controller mirror this: the adapter writes the slice.
  let skipMirrorChanged = false;
  if (e.metadata?.labels?.[skipMirrorLabel] !== 'true') {
    e.metadata = { ...e.metadata, labels: { ...e.metadata?.labels, [skipMirrorLabel]: 'true' } };
    skipMirrorChanged = true;
  }
  const { formatCorrect, ipsCorrect, portsCorrect } = checkEndpointSubsetFormatWithLease(e, ips, ports, reconcilePorts);
  if (!skipMirrorChanged && formatCorrect && ipsCorrect && portsCorrect) return undefined;
  // Something is egregiously wrong: the record is made again.
  if (!formatCorrect) e.subsets = [{ addresses: [], ports: [...ports] }];
  const subset = e.subsets![0];
  // The IPs come sorted; one subset of one port set stays in that order (upstream's RepackSubsets).
  if (!formatCorrect || !ipsCorrect) subset.addresses = ips.map((ip) => ({ ip }));
  if (!portsCorrect) subset.ports = [...ports];
  return e;
}

export class LeaseEndpointReconciler implements EndpointReconciler {
  private stopped = false;
  /** The pass in progress: stopReconciling waits for it (upstream's reconcilingLock). */
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly adapter: EndpointsAdapter,
    private readonly leases: MasterLeases,
    private readonly log?: Logger,
  ) {}

  reconcileEndpoints(ip: string, ports: EndpointPort[], reconcilePorts: boolean): Promise<void> {
    const pass = this.running.then(async () => {
      if (this.stopped) return;
      // The lease is refreshed whatever happens below, so at least the other servers add us.
      await this.leases.update(ip);
      await this.doReconcile(ports, reconcilePorts, false);
    });
    this.running = pass.catch(() => undefined);
    return pass;
  }

  async removeEndpoints(ip: string, ports: EndpointPort[]): Promise<void> {
    await this.leases.remove(ip);
    await this.doReconcile(ports, true, true);
  }

  async stopReconciling(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async doReconcile(ports: EndpointPort[], reconcilePorts: boolean, removing: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.reconcileOnce(ports, reconcilePorts, removing);
        return;
      } catch (err) {
        // Another server wrote in between (several starting or stopping at once): the pass is
        // made again from a fresh list of leases, so no one writes what it read before the other's write.
        if (!(err instanceof StatusError && err.code === 409) || attempt >= maxAttempts) throw err;
      }
    }
  }

  private async reconcileOnce(ports: EndpointPort[], reconcilePorts: boolean, removing: boolean): Promise<void> {
    const ips = await this.leases.list();
    if (ips.length === 0) {
      // The last server to stop leaves its address in place (upstream fails this with an error
      // on every shutdown of a lone kube-apiserver): the next server to start replaces it.
      if (removing) {
        this.log?.info({ service: kubernetesServiceName }, 'last API server stopping: the kubernetes endpoints keep its address');
        return;
      }
      // We have just refreshed our own lease: none at all means storage is not telling the truth.
      throw new Error('no API server IPs were listed in storage, refusing to erase all endpoints for the kubernetes service');
    }
    const { endpoints, changed } = await this.adapter.write(kubernetesServiceName, (e) => reconcileEndpointsObject(e, ips, ports, reconcilePorts));
    if (changed) this.log?.info({ service: kubernetesServiceName, addresses: ips, ports: endpoints.subsets?.[0]?.ports?.map((p) => p.port) }, 'reset endpoints for the kubernetes service');
    await this.adapter.ensureEndpointSlice(endpoints);
  }
}
