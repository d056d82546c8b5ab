// Whether the proxy keeps its forwarding current (upstream pkg/proxy/healthcheck's
// ProxierHealthServer): unhealthy once a change has waited longer than the timeout without a
// sync applying it. Served as /healthz (also false while this node is being deleted, so load
// balancers drain it) and /livez (the proxy alone), on kube-proxy's --healthz-bind-address.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Upstream's default: twice the 30 s iptables/nftables sync period. */
export const defaultHealthTimeoutMs = 60_000;

export interface ProxyHealth {
  healthy: boolean;
  lastUpdated: Date;
  currentTime: Date;
}

export class ProxierHealth {
  /** When the oldest change not yet applied arrived; undefined when everything is applied. */
  private queuedAt: number | undefined;
  private updatedAt: number;
  /** False once this node is marked for deletion (upstream: deletionTimestamp or the autoscaler's taint). */
  nodeEligible = true;

  constructor(
    private readonly timeoutMs = defaultHealthTimeoutMs,
    private readonly now: () => number = Date.now,
  ) {
    this.updatedAt = now();
  }

  /** A change arrived that a sync must apply. */
  queued(): void {
    this.queuedAt ??= this.now();
  }

  /** A sync applied everything queued before it started. */
  updated(): void {
    this.updatedAt = this.now();
    this.queuedAt = undefined;
  }

  health(): ProxyHealth {
    const now = this.now();
    const healthy = this.queuedAt === undefined || now - this.queuedAt <= this.timeoutMs;
    return { healthy, lastUpdated: new Date(this.updatedAt), currentTime: new Date(now) };
  }
}

export interface HealthzServer {
  readonly port: number;
  close(): Promise<void>;
}

/** /healthz and /livez as kube-proxy answers them: 200 or 503 with the times as JSON. */
export async function serveProxierHealth(health: ProxierHealth, host: string, port: number): Promise<HealthzServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/livez') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const h = health.health();
    const body: Record<string, unknown> = { lastUpdated: h.lastUpdated.toISOString(), currentTime: h.currentTime.toISOString() };
    let ok = h.healthy;
    if (path === '/healthz') {
      body.nodeEligible = health.nodeEligible;
      ok &&= health.nodeEligible;
    }
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
