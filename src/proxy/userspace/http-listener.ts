// Per-request balancing for HTTP/1.1 services (opt-in with the k8ts.io/proxy-mode annotation):
// a kept-alive client connection is parsed into requests and each request goes to the next
// endpoint, through a keep-alive Agent per endpoint. A per-connection balancer pins every
// request of a long-lived connection to one endpoint; this spreads them. Upgrades (WebSocket)
// are not forwarded in this mode.
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { EndpointInfo } from '../endpoint.js';
import { proxyMetrics } from '../metrics.js';
import type { EndpointPicker, Listener } from './frontend.js';

// Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

function forwardHeaders(headers: IncomingHttpHeaders, clientIP: string | undefined): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (!hopByHop.has(k)) out[k] = v;
  if (clientIP) out['x-forwarded-for'] = headers['x-forwarded-for'] ? `${String(headers['x-forwarded-for'])}, ${clientIP}` : clientIP;
  return out;
}

export async function listenHttp(address: string, port: number, picker: EndpointPicker): Promise<Listener> {
  const agents = new Map<string, Agent>();
  const sockets = new Set<Socket>();
  const agentFor = (ep: EndpointInfo) => {
    let agent = agents.get(ep.key);
    if (!agent) agents.set(ep.key, (agent = new Agent({ keepAlive: true })));
    return agent;
  };
  const server = createServer((req, res) => {
    const clientIP = req.socket.remoteAddress;
    const ep = picker.pick(clientIP);
    if (!ep) {
      proxyMetrics.connections.inc({ protocol: 'HTTP', result: 'no_endpoint' });
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no endpoints available for service\n');
      return;
    }
    const done = picker.open(ep);
    const out = request({ host: ep.ip, port: ep.port, method: req.method, path: req.url, headers: forwardHeaders(req.headers, clientIP), agent: agentFor(ep) }, (upstream) => {
      proxyMetrics.connections.inc({ protocol: 'HTTP', result: 'forwarded' });
      const headers: IncomingHttpHeaders = {};
      for (const [k, v] of Object.entries(upstream.headers)) if (!hopByHop.has(k)) headers[k] = v;
      res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, headers);
      upstream.pipe(res);
      upstream.once('end', done);
    });
    out.on('error', () => {
      done();
      proxyMetrics.connections.inc({ protocol: 'HTTP', result: 'endpoint_error' });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('endpoint unreachable\n');
      else res.destroy();
    });
    res.once('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  return {
    close: async (destroyConnections) => {
      server.close();
      if (destroyConnections) {
        for (const s of sockets) s.destroy();
        for (const a of agents.values()) a.destroy();
      } else {
        server.closeIdleConnections();
      }
    },
    endpointsChanged(endpoints) {
      const keep = new Set(endpoints.map((e) => e.key));
      for (const [key, agent] of agents) {
        if (keep.has(key)) continue;
        agent.destroy();
        agents.delete(key);
      }
    },
  };
}
