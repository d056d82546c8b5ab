// The standalone scheduler's monitoring endpoints over plain HTTP (upstream kube-scheduler serves
// the same paths over HTTPS on --secure-port 10259): /metrics in the Prometheus text format (the
// process-wide registry: scheduler_* series plus process and Node.js defaults), /healthz and
// /livez (the process answers), /readyz (the scheduler's caches are synced and its event
// handlers registered — upstream's sched-handler-sync check). Meant for loopback or a trusted
// network: there is no authentication, as with kube-proxy's --metrics-bind-address.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsContentType, metricsText } from '../util/metrics.js';

export interface HealthServerOptions {
  /** Host to listen on, e.g. 127.0.0.1 (an IPv6 literal without brackets). */
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Why the scheduler is not ready yet, or undefined when it is. */
  notReady: () => string | undefined;
}

export interface HealthServer {
  /** The bound address (the real port when 0 was asked). */
  host: string;
  port: number;
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

/** Parses a host:port flag value ("127.0.0.1:10259", "[::1]:0", ":10259" = all interfaces). */
export function parseBindAddress(value: string): { host: string; port: number } {
  const i = value.lastIndexOf(':');
  const port = Number(value.slice(i + 1));
  if (i < 0 || value.slice(i + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`not host:port: ${value}`);
  const host = value.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host || '0.0.0.0', port };
}

/** The text of a health check answer in upstream's verbose shape ("[+]ping ok" lines). */
function checkText(path: string, failed: string | undefined, verbose: boolean): string {
  const what = path.slice(1);
  if (!failed) return verbose ? `[+]ping ok\n[+]sched-handler-sync ok\n${what} check passed\n` : 'ok';
  return `[+]ping ok\n[-]sched-handler-sync failed: ${failed}\n${what} check failed\n`;
}

function handle(opts: HealthServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const verbose = url.searchParams.has('verbose');
  switch (url.pathname) {
    case '/metrics':
      metricsText().then(
        (text) => res.writeHead(200, { 'content-type': metricsContentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`cannot collect metrics: ${String(err)}\n`),
      );
      return;
    case '/healthz':
    case '/livez':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(checkText(url.pathname, undefined, verbose));
      return;
    case '/readyz': {
      const failed = opts.notReady();
      res.writeHead(failed ? 503 : 200, { 'content-type': 'text/plain; charset=utf-8' }).end(checkText(url.pathname, failed, verbose));
      return;
    }
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
  }
}

/** Starts listening; rejects when the address cannot be bound. */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => handle(opts, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Scrapes must not keep a stopping process alive.
  server.unref();
  const addr = server.address() as AddressInfo;
  const host = addr.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  return {
    host,
    port: addr.port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
