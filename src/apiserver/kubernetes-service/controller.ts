// Keeps this API server in the `kubernetes` Service's endpoints (upstream:
// pkg/controlplane/controller/kubernetesservice, the endpoint half; the Service itself is created
// by bootstrap.ts). One pass when the server bootstraps, with ports reconciled; then a pass every
// interval, ports left alone; on graceful shutdown the server withdraws itself, waiting at most
// two intervals for storage, as upstream's Stop does.
import type { Logger } from 'pino';
import type { EndpointPort } from 'kubernetes-types/core/v1.js';
import type { Store } from '../../storage/store.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { EndpointsAdapter } from './endpoints-adapter.js';
import { LeaseEndpointReconciler, type EndpointReconciler } from './lease-reconciler.js';
import { MasterLeases } from './master-leases.js';

/** kube-apiserver's --endpoint-reconciler-type values we implement (master-count is refused). */
export const endpointReconcilerTypes = ['lease', 'none'] as const;
export type EndpointReconcilerType = (typeof endpointReconcilerTypes)[number];

/** Upstream's DefaultEndpointReconcilerInterval. */
export const defaultEndpointReconcilerIntervalMs = 10_000;

export interface EndpointReconcilerOptions {
  /** lease (default): every live API server is listed; none: the endpoints are not written at all. */
  type?: EndpointReconcilerType;
  /** How long this server's lease lives without a refresh (default 15 s). */
  ttlMs?: number;
  /** Time between passes (default 10 s). */
  intervalMs?: number;
  /** Monotonic clock in ms for lease expiry (default performance.now). */
  now?: () => number;
}

export interface KubernetesServiceDeps {
  store: Store;
  generic: GenericStore;
  registry: ResourceRegistry;
  log?: Logger;
}

export class KubernetesServiceController {
  private readonly reconciler: EndpointReconciler;
  private readonly ip: string;
  private readonly ports: EndpointPort[];
  private readonly intervalMs: number;
  private readonly log: Logger | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(deps: KubernetesServiceDeps, advertise: { host: string; port: number }, opts: EndpointReconcilerOptions = {}) {
    this.log = deps.log;
    this.ip = advertise.host;
    this.ports = [{ name: 'https', port: advertise.port, protocol: 'TCP' }];
    this.intervalMs = opts.intervalMs ?? defaultEndpointReconcilerIntervalMs;
    const leases = new MasterLeases({ store: deps.store, ttlMs: opts.ttlMs, now: opts.now, log: deps.log });
    this.reconciler = new LeaseEndpointReconciler(new EndpointsAdapter(deps.generic, deps.registry), leases, deps.log);
  }

  /** The first pass (its failure is the caller's), then the periodic ones in the background. */
  async start(): Promise<void> {
    await this.reconciler.reconcileEndpoints(this.ip, this.ports, true);
    this.schedule(this.intervalMs);
  }

  /** Stops the passes without withdrawing (the API server's synchronous stop, a crash). */
  abandon(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Stops the passes and withdraws this server from the endpoints. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.withdraw();
    return this.stopping;
  }

  private async withdraw(): Promise<void> {
    this.abandon();
    this.log?.info({ ip: this.ip }, 'shutting down kubernetes service endpoint reconciler');
    const removed = (async () => {
      await this.reconciler.stopReconciling();
      await this.reconciler.removeEndpoints(this.ip, this.ports);
    })().then(
      () => true,
      (err: unknown) => {
        this.log?.error({ err }, 'unable to remove endpoints from kubernetes service');
        return true;
      },
    );
    // Storage may be unreachable: shutdown is not held up for longer than two intervals.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 2 * this.intervalMs);
      timer.unref();
    });
    const done = await Promise.race([removed, timedOut]);
    clearTimeout(timer);
    if (!done) this.log?.warn({ ip: this.ip, timeoutMs: 2 * this.intervalMs }, 'removing this API server from the kubernetes endpoints timed out');
  }

  /** Passes do not overlap; each starts `intervalMs` after the previous one started (upstream's NonSlidingUntil). */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.pass(), delayMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const started = performance.now();
    try {
      await this.reconciler.reconcileEndpoints(this.ip, this.ports, false);
    } catch (err) {
      if (!this.stopped) this.log?.error({ err }, 'unable to sync kubernetes service endpoints');
    }
    this.schedule(Math.max(0, this.intervalMs - (performance.now() - started)));
  }
}
