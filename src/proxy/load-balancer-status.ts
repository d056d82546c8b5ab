// LoadBalancer Services answered by the node itself, as k3s's servicelb does: the node's
// address goes into status.loadBalancer.ingress (through services/status), and the proxier then
// listens on that address at the service port. Several nodes each add their own address.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../client/rest/client.js';
import { resources } from '../client/rest/builtin-resources.js';
import { isConflict, isNotFound } from '../client/rest/errors.js';

/** The ingress list with `address` in it, or undefined when it is there already. */
export function ingressWith(svc: Service, address: string): { ip: string; ipMode?: string }[] | undefined {
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.some((i) => i.ip === address)) return undefined;
  return [...ingress.map((i) => ({ ...i }) as { ip: string; ipMode?: string }), { ip: address, ipMode: 'VIP' }];
}

/** Writes status updates one at a time per service; a newer need for the same service replaces a queued one. */
export class LoadBalancerStatusWriter {
  private readonly queued = new Map<string, Service>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly client: Client,
    private readonly address: string,
    private readonly log: Logger,
  ) {}

  /** Called for every Service add/update; does nothing unless it is a LoadBalancer lacking our address. */
  observe(svc: Service): void {
    if (svc.spec?.type !== 'LoadBalancer' || svc.spec.loadBalancerClass) return;
    if (!ingressWith(svc, this.address)) return;
    this.queued.set(`${svc.metadata?.namespace}/${svc.metadata?.name}`, svc);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves when nothing is queued or being written. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    const services = this.client.resource(resources.services);
    for (;;) {
      const next = this.queued.entries().next();
      if (next.done) return;
      const [key, svc] = next.value;
      this.queued.delete(key);
      const ingress = ingressWith(svc, this.address);
      if (!ingress) continue;
      try {
        await services.patch(svc.metadata!.name!, { metadata: { resourceVersion: svc.metadata?.resourceVersion }, status: { loadBalancer: { ingress } } }, { type: 'merge', subresource: 'status', namespace: svc.metadata?.namespace });
        this.log.info({ service: key, ingress: this.address }, 'load-balancer ingress set to the node address');
      } catch (err) {
        // A conflict means a newer version exists; its update event queues it again.
        if (!isConflict(err) && !isNotFound(err)) this.log.warn({ service: key, err }, 'cannot set load-balancer status');
      }
    }
  }
}
