// The kubelet's HTTPS API (port 10250): /healthz, /pods, /containerLogs, /exec, /attach,
// /metrics, /metrics/resource and /stats/summary. Callers authenticate with a client certificate from the cluster
// CA — in practice the API server relaying pods/log, exec and attach — as upstream's kubelet
// does with --client-ca-file; anonymous requests get 401.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { connect as netConnect, type Socket } from 'node:net';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Runtime } from '../runtime/types.js';
import { followContainerLog, readContainerLog, type LogReadOptions } from '../logs/reader.js';
import { metricsContentType, metricsText } from '../../util/metrics.js';
import { CHANNEL_PROTOCOLS, serveChannels } from './channel-stream.js';
import { locateContainer } from './container-locator.js';
import { attachSession } from './attach-session.js';
import { PORTFORWARD_PROTOCOL, REMOTECOMMAND_PROTOCOLS, serveRemoteCommand, servePortForward } from './spdy-streams.js';
import { SpdyServerSession } from './spdy/session.js';
import { podUidLabel } from '../container-labels.js';

/** kubectl ≥ 1.31 tunnels port-forward's SPDY frames in WebSocket messages under this subprotocol. */
const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

export interface KubeletServerOptions {
  port: number;
  bindAddress: string;
  tls: { certPem: string; keyPem: string };
  /** Client certificates signed by this CA are accepted. */
  clientCaPem: string;
  runtime: Runtime;
  /** The pods this node runs (what /pods lists and what streams may address). */
  pods(): Pod[];
  /** /stats/summary body, when the agent collects stats. */
  statsSummary?(): Promise<unknown>;
  /** /metrics/resource body (Prometheus text), when the agent collects stats. */
  resourceMetrics?(): Promise<string>;
  log: Logger;
}

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const truthy = (v: string | null) => v === 'true' || v === '1';

function authenticated(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).authorized === true;
}

function findPod(pods: Pod[], namespace: string, name: string): Pod {
  const pod = pods.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name);
  if (!pod) throw new HttpError(404, `pod "${name}" not found`);
  return pod;
}

function logOptions(q: URLSearchParams): LogReadOptions {
  const opts: LogReadOptions = { timestamps: truthy(q.get('timestamps')) };
  const tail = q.get('tailLines');
  if (tail !== null) opts.tailLines = Math.max(0, Number(tail));
  const since = q.get('sinceSeconds');
  if (since !== null) opts.sinceMs = Date.now() - Number(since) * 1000;
  const sinceTime = q.get('sinceTime');
  if (sinceTime !== null) opts.sinceMs = Date.parse(sinceTime);
  const limit = q.get('limitBytes');
  if (limit !== null) opts.limitBytes = Number(limit);
  return opts;
}

/** Answers the Upgrade with 101 and runs a SPDY session on the socket. */
function switchToSpdy(socket: Duplex, head: Buffer, protocol: string | undefined): SpdyServerSession {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', 'Upgrade: SPDY/3.1'];
  if (protocol) lines.push(`X-Stream-Protocol-Version: ${protocol}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length) socket.unshift(head);
  return new SpdyServerSession(socket);
}

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const { runtime, log } = opts;
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => [...CHANNEL_PROTOCOLS, SPDY_TUNNEL_PROTOCOL].find((p) => offered.has(p)) ?? false,
  });

  async function containerLogs(req: IncomingMessage, res: ServerResponse, parts: string[], q: URLSearchParams): Promise<void> {
    const [namespace, podName, containerName] = parts as [string, string, string];
    const pod = findPod(opts.pods(), namespace, podName);
    const previous = truthy(q.get('previous'));
    const c = await locateContainer(runtime, pod, containerName, previous);
    if (!c) {
      throw new HttpError(
        400,
        previous ? `previous terminated container "${containerName}" in pod "${podName}" not found` : `container "${containerName}" in pod "${podName}" is waiting to start: ContainerCreating`,
      );
    }
    const ro = logOptions(q);
    res.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
    if (!truthy(q.get('follow')) || c.state === 'Exited') {
      res.end(readContainerLog(c.logPath, ro));
      return;
    }
    const follower = followContainerLog(c.logPath, ro, (chunk) => res.write(chunk));
    // Following ends when the client goes away or the container exits.
    const watchExit = setInterval(() => {
      runtime.containerStatus(c.id).then(
        (s) => s.state === 'Exited' && setTimeout(() => follower.stop(), 200),
        () => follower.stop(),
      );
    }, 500);
    res.on('close', () => follower.stop());
    await follower.done;
    clearInterval(watchExit);
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (!authenticated(req)) throw new HttpError(401, 'Unauthorized');
    switch (parts[0]) {
      case 'pods':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: opts.pods() }));
        return;
      case 'containerLogs':
        if (parts.length !== 4) throw new HttpError(400, 'expected /containerLogs/NAMESPACE/POD/CONTAINER');
        return containerLogs(req, res, parts.slice(1), url.searchParams);
      case 'metrics':
        if (parts[1] === 'resource' && opts.resourceMetrics) {
          res.writeHead(200, { 'content-type': metricsContentType }).end(await opts.resourceMetrics());
          return;
        }
        if (parts.length > 1) throw new HttpError(404, '404 page not found');
        res.writeHead(200, { 'content-type': metricsContentType }).end(await metricsText());
        return;
      case 'stats':
        if (parts[1] === 'summary' && opts.statsSummary) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await opts.statsSummary()));
          return;
        }
        throw new HttpError(404, 'not found');
      case 'exec':
      case 'attach':
        throw new HttpError(400, 'Upgrade request required');
      default:
        throw new HttpError(404, `404 page not found`);
    }
  }

  /** A TCP connection to a port of the pod's network, for port-forward. */
  async function podConnector(pod: Pod): Promise<(port: number) => Promise<Socket>> {
    const sandboxes = await runtime.listPodSandboxes({ state: 'Ready', labels: { [podUidLabel]: pod.metadata?.uid ?? '' } });
    const sandbox = sandboxes[0];
    if (!sandbox) throw new HttpError(400, `pod ${pod.metadata?.name} has no running sandbox`);
    if (runtime.portForward) return (port) => runtime.portForward!(sandbox.id, port);
    const { ip } = await runtime.podSandboxStatus(sandbox.id);
    return (port) =>
      new Promise((resolve, reject) => {
        const socket = netConnect({ host: ip, port });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const q = url.searchParams;
    if (!authenticated(req)) throw new HttpError(401, 'Unauthorized');
    const kind = parts[0];
    const spdy = /^spdy\/3\.1$/i.test(String(req.headers.upgrade ?? ''));
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const clientProtocols = [req.headers['x-stream-protocol-version'] ?? []].flat().flatMap((v) => v.split(',')).map((v) => v.trim());

    if (kind === 'portForward' && parts.length === 3) {
      const pod = findPod(opts.pods(), parts[1]!, parts[2]!);
      const connect = await podConnector(pod);
      const describe = `${pod.metadata?.name}_${pod.metadata?.namespace}, uid ${pod.metadata?.uid}`;
      if (spdy) {
        if (clientProtocols.length && !clientProtocols.includes(PORTFORWARD_PROTOCOL)) throw new HttpError(403, `unable to upgrade: unable to negotiate protocol: client supports ${clientProtocols.join(',')}, server supports [${PORTFORWARD_PROTOCOL}]`);
        const session = switchToSpdy(socket, head, PORTFORWARD_PROTOCOL);
        await servePortForward(session, connect, describe);
        return;
      }
      if (!offered.includes(SPDY_TUNNEL_PROTOCOL)) throw new HttpError(400, `unsupported port-forward protocol; supported: SPDY/3.1, ${SPDY_TUNNEL_PROTOCOL}`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        const session = new SpdyServerSession(createWebSocketStream(ws));
        servePortForward(session, connect, describe).catch((err: unknown) => log.warn({ err }, 'port-forward failed'));
      });
      return;
    }

    if ((kind !== 'exec' && kind !== 'attach') || parts.length !== 4) throw new HttpError(404, '404 page not found');
    const [, namespace, podName, containerName] = parts as [string, string, string, string];
    const pod = findPod(opts.pods(), namespace, podName);
    const c = await locateContainer(runtime, pod, containerName, false);
    if (!c || c.state !== 'Running') throw new HttpError(400, `container ${containerName} is not running`);
    const tty = truthy(q.get('tty'));
    const stdin = truthy(q.get('stdin')) || truthy(q.get('input'));
    const command = q.getAll('command');
    if (kind === 'exec' && command.length === 0) throw new HttpError(400, 'you must specify at least 1 command');
    const open = async () => {
      if (kind === 'exec') {
        if (!runtime.exec) throw new Error(`the ${runtime.name} runtime does not support exec`);
        return runtime.exec(c.id, command, { stdin, tty });
      }
      if (!runtime.attach) throw new Error(`the ${runtime.name} runtime does not support attach`);
      const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].find((s) => s.name === containerName);
      return attachSession(await runtime.attach(c.id, { stdin, tty }), { stdinOnce: spec?.stdinOnce === true, tty: spec?.tty === true });
    };
    if (spdy) {
      // Server preference order, as upstream's httpstream.Handshake; no header = the oldest protocol.
      const protocol = clientProtocols.length ? REMOTECOMMAND_PROTOCOLS.find((p) => clientProtocols.includes(p)) : 'channel.k8s.io';
      if (!protocol) throw new HttpError(403, `unable to upgrade: unable to negotiate protocol: client supports ${clientProtocols.join(',')}, server supports [${REMOTECOMMAND_PROTOCOLS.join(' ')}]`);
      const session = switchToSpdy(socket, head, clientProtocols.length ? protocol : undefined);
      const stdout = truthy(q.get('stdout')) || truthy(q.get('output'));
      const stderr = truthy(q.get('stderr')) || truthy(q.get('error'));
      await serveRemoteCommand(session, { protocol, stdin, stdout, stderr, tty, command, open });
      return;
    }
    if (!offered.some((p) => CHANNEL_PROTOCOLS.includes(p))) throw new HttpError(400, `unsupported streaming protocol; supported: ${CHANNEL_PROTOCOLS.join(', ')}, SPDY/3.1`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      serveChannels(ws, open, command).catch((err: unknown) => log.warn({ err }, 'stream failed'));
    });
  }

  const server: Server = createServer({ cert: opts.tls.certPem, key: opts.tls.keyPem, ca: opts.clientCaPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    route(req, res).catch((err: unknown) => {
      const code = err instanceof HttpError ? err.code : 500;
      if (code >= 500) log.error({ err, url: req.url }, 'kubelet request failed');
      if (res.headersSent) res.end();
      else res.writeHead(code, { 'content-type': 'text/plain' }).end((err as Error).message);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((err: unknown) => {
      const code = err instanceof HttpError ? err.code : 500;
      const body = (err as Error).message;
      socket.end(`HTTP/1.1 ${code} ${code === 401 ? 'Unauthorized' : code === 404 ? 'Not Found' : code === 403 ? 'Forbidden' : 'Bad Request'}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
  });
  server.setTimeout(0);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const sockets = new Set<Duplex>();
  server.on('secureConnection', (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      wss.close();
      await closed;
    },
  };
}
