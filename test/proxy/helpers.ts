// Shared pieces of the proxy tests: an API server in-process with a proxy on it, selectorless
// Services with hand-written EndpointSlices, and backends that are real local listeners.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { createLogger } from '../../src/util/log.js';
import { defaultServiceCidr, startProxy, type ProxyOptions, type ServiceProxy } from '../../src/proxy/proxy.js';
import { ensureLocalRoute } from '../../src/proxy/userspace/local-route.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';

export const quietLog = createLogger('proxy', { level: process.env.K8TS_TEST_LOG ?? 'silent' });

/** A random 127.x.y.z address (so NodePorts of parallel tests do not collide). */
export function randomLoopback(): string {
  const b = () => 1 + Math.floor(Math.random() * 250);
  return `127.${b()}.${b()}.${b()}`;
}

export interface Env {
  api: InProcessApi;
  client: Client;
  proxy: ServiceProxy;
  nodeAddress: string;
  close(): Promise<void>;
}

/**
 * Routes the service CIDR locally once per process and leaves it (test files run in parallel,
 * so one file's proxy must not remove the route another's is using); the proxies in tests run
 * with manageLocalRoute false.
 */
let routed: Promise<unknown> | undefined;
export function routeServiceCidr(): Promise<unknown> {
  routed ??= ensureLocalRoute(defaultServiceCidr);
  return routed;
}

export async function startEnv(opts: Partial<ProxyOptions> = {}): Promise<Env> {
  await routeServiceCidr();
  const api = await startInProcessApi();
  const client = api.client();
  const nodeAddress = randomLoopback();
  const proxy = await startProxy({ client, nodeName: 'node-a', log: quietLog, nodeAddresses: [nodeAddress], manageLocalRoute: false, ...opts });
  return {
    api,
    client,
    proxy,
    nodeAddress,
    close: async () => {
      await proxy.stop();
      await api.close();
    },
  };
}

export type Svc = Service & KubeObject;
export type Slice = EndpointSlice & KubeObject;

export async function createService(client: Client, name: string, spec: Service['spec'], extra: Partial<Service> = {}): Promise<Svc> {
  return client.resource(resources.services).create({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', ...(extra.metadata ?? {}) }, spec });
}

export interface EndpointSpec {
  ip: string;
  nodeName?: string;
  hostname?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** Creates or replaces the slice `sliceName` of service `service` (managed by the test, not the controller), of `addressType`. */
export async function writeSliceOf(client: Client, addressType: 'IPv4' | 'IPv6', service: string, sliceName: string, endpoints: EndpointSpec[], ports: EndpointPort[], namespace = 'default'): Promise<Slice> {
  const slices = client.resource(resources.endpointSlices);
  const body: Slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: sliceName, namespace, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'test.k8ts.io' } },
    addressType,
    endpoints: endpoints.map(
      (e): Endpoint => ({
        addresses: [e.ip],
        conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
        ...(e.nodeName ? { nodeName: e.nodeName } : {}),
        ...(e.hostname ? { hostname: e.hostname } : {}),
      }),
    ),
    ports,
  };
  try {
    const old = await slices.get(sliceName, { namespace });
    return await slices.update({ ...body, metadata: { ...body.metadata, resourceVersion: old.metadata?.resourceVersion } });
  } catch {
    return slices.create(body);
  }
}

/** writeSliceOf an IPv4 slice. */
export function writeSlice(client: Client, service: string, sliceName: string, endpoints: EndpointSpec[], ports: EndpointPort[], namespace = 'default'): Promise<Slice> {
  return writeSliceOf(client, 'IPv4', service, sliceName, endpoints, ports, namespace);
}

export interface Backend {
  name: string;
  ip: string;
  port: number;
  close(): Promise<void>;
}

/** A TCP server that writes its name and closes each connection. */
export async function nameServer(name: string, ip: string): Promise<Backend> {
  const server: Server = createServer((s) => s.end(`${name}\n`));
  await new Promise<void>((r) => server.listen(0, ip, r));
  const port = (server.address() as { port: number }).port;
  return { name, ip, port, close: () => new Promise((r) => server.close(() => r())) };
}

/** An HTTP server answering every request with its name (keep-alive on). */
export async function httpNameServer(name: string, ip: string): Promise<Backend & { server: HttpServer }> {
  const server = createHttpServer((_req, res) => res.end(name));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, ip, r));
  const port = (server.address() as { port: number }).port;
  return {
    name,
    ip,
    port,
    server,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A UDP server that answers each datagram with `name:payload`. */
export async function udpEchoServer(name: string, ip: string): Promise<Backend> {
  const sock: UdpSocket = createSocket(ip.includes(':') ? 'udp6' : 'udp4');
  sock.on('message', (msg, r) => sock.send(`${name}:${msg.toString()}`, r.port, r.address));
  await new Promise<void>((r) => sock.bind(0, ip, r));
  return { name, ip, port: sock.address().port, close: () => new Promise((r) => sock.close(() => r())) };
}

/** Connects and reads everything the server sends; rejects with the socket error (e.g. ECONNREFUSED). */
export function readFrom(host: string, port: number, localAddress?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, localAddress });
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (d) => (out += d));
    s.on('end', () => resolve(out.trim()));
    s.on('error', reject);
  });
}

/** The error code of a failed connection, or 'connected' if it succeeded. */
export function connectResult(host: string, port: number): Promise<string> {
  return readFrom(host, port).then(
    () => 'connected',
    (err: NodeJS.ErrnoException) => err.code ?? String(err),
  );
}

/**
 * The outcome of a connection from `localAddress`: 'connected', the error code, or 'no answer'
 * when nothing came back within `waitMs` — what a dropped SYN looks like (no event ever tells
 * a client that its packets are dropped, so this one waits).
 */
export function connectFrom(host: string, port: number, localAddress: string, waitMs = 1000): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port, localAddress });
    const timer = setTimeout(() => (s.destroy(), resolve('no answer')), waitMs);
    const done = (result: string) => (clearTimeout(timer), s.destroy(), resolve(result));
    s.once('connect', () => done('connected'));
    s.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? String(err)));
  });
}

/** One UDP request/response from a fresh client socket. */
export function udpAsk(host: string, port: number, payload: string, client?: UdpSocket): Promise<string> {
  const sock = client ?? createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('udp timeout')), 3000);
    sock.once('message', (msg) => {
      clearTimeout(timer);
      if (!client) sock.close();
      resolve(msg.toString());
    });
    sock.send(payload, port, host);
  });
}

/** One slice per backend (each backend listens on its own port, and a slice's ports apply to all its endpoints). */
export async function slicesFor(env: Env, service: string, backends: Backend[], portName = '', extra: Partial<EndpointSpec>[] = [], protocol = 'TCP') {
  const out = [];
  for (const [i, b] of backends.entries()) out.push(await writeSlice(env.client, service, `${service}-${i}`, [{ ip: b.ip, ...extra[i] }], [{ name: portName, port: b.port, protocol }]));
  return out;
}

/** Which backend answered each of `n` connections (from `localAddress` if given), counted by name. */
export async function spread(host: string, port: number, n: number, localAddress?: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const name = await readFrom(host, port, localAddress);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}
