// Health-check node ports (upstream pkg/proxy/healthcheck's ServiceHealthServer): a LoadBalancer
// Service with externalTrafficPolicy Local gets spec.healthCheckNodePort, and every node answers
// HTTP on it with how many ready endpoints of the Service run on that node — 200 when some do
// (and the proxy is healthy), 503 otherwise — so an external load balancer sends traffic only to
// nodes that keep it local. Listens on each node address, like NodePorts.
import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { ServiceKey } from '../service-port.js';
import type { ProxierHealth } from './proxier-health.js';

interface Listener {
  port: number;
  servers: Server[];
  localEndpoints: number;
}

export class ServiceHealthServer {
  private readonly listeners = new Map<ServiceKey, Listener>();

  constructor(
    private readonly addresses: string[],
    private readonly proxyHealth: ProxierHealth,
    private readonly log: Logger,
  ) {}

  /** The ports that should be open now; a changed port is closed and reopened. */
  async syncServices(wanted: Map<ServiceKey, number>): Promise<void> {
    for (const [key, l] of this.listeners) {
      if (wanted.get(key) === l.port) continue;
      this.listeners.delete(key);
      await closeAll(l.servers);
    }
    for (const [key, port] of wanted) {
      if (this.listeners.has(key)) continue;
      const l: Listener = { port, servers: [], localEndpoints: 0 };
      this.listeners.set(key, l);
      for (const address of this.addresses) {
        try {
          l.servers.push(await this.listen(key, l, address));
        } catch (err) {
          // Upstream records an event and keeps going: one busy address must not stop the others.
          this.log.error({ err, service: key, address, port }, 'cannot open health check node port');
        }
      }
    }
  }

  /** Ready endpoints on this node per Service; Services not in the map have none. */
  syncEndpoints(local: Map<ServiceKey, number>): void {
    for (const [key, l] of this.listeners) l.localEndpoints = local.get(key) ?? 0;
  }

  /** The port serving a Service (tests). */
  portOf(key: ServiceKey): number | undefined {
    return this.listeners.get(key)?.port;
  }

  async close(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => closeAll(l.servers)));
  }

  private listen(key: ServiceKey, l: Listener, address: string): Promise<Server> {
    const [namespace, name] = key.split('/');
    const server = createServer((_req, res) => {
      const count = l.localEndpoints;
      const proxyHealthy = this.proxyHealth.health().healthy;
      const body = { service: { namespace, name }, localEndpoints: count, serviceProxyHealthy: proxyHealthy };
      res
        .writeHead(count > 0 && proxyHealthy ? 200 : 503, {
          'content-type': 'application/json',
          'x-content-type-options': 'nosniff',
          'x-load-balancing-endpoint-weight': String(count),
        })
        .end(JSON.stringify(body, null, 2));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(l.port, address, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}

function closeAll(servers: Server[]): Promise<unknown> {
  return Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}
