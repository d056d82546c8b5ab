// Connections the API server relays to a node agent (upstream's pod/node "connect" REST and
// its UpgradeAwareHandler): pods/log, exec, attach and portforward, and nodes/proxy. The API
// server authenticates and authorizes the caller as for any request, resolves the kubelet's
// address from the Node (InternalIP, else Hostname; port from daemonEndpoints), and then
// streams bytes in both directions without interpreting them. It presents its kubelet-client
// certificate to the kubelet; it does not verify the kubelet's serving certificate, as
// upstream does not unless --kubelet-certificate-authority is given.
import { connect as tlsConnect } from 'node:tls';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { StoredObject } from '../../api/object.js';
import { badRequest, internalError, notFound, serviceUnavailable, StatusError, type StatusReason } from '../../api/status.js';
import type { Request } from '../http/body.js';
import type { Response } from '../http/respond.js';
import type { ResourceRequest } from './resource.js';
import { relayHttp, hopByHop } from './http-relay.js';
import type { ApiServer } from '../server.js';

/** What an HTTP/1.1 Upgrade request carries besides req: its socket and the bytes read past the headers. */
export const upgradeHead = Symbol('k8ts.upgrade-head');
export type UpgradeRequest = Request & { [upgradeHead]?: { socket: Duplex; head: Buffer } };

export interface KubeletClientCredentials {
  certPem: string;
  keyPem: string;
}

export interface KubeletLocation {
  host: string;
  port: number;
  /** Path and query on the kubelet. */
  path: string;
  /** Answers outside 2xx become a Status about this resource (pods/log) instead of passing through. */
  checkedAs?: { resource: string; name: string };
}

const DEFAULT_KUBELET_PORT = 10250;

/** Log options forwarded to the kubelet's /containerLogs as upstream's LogLocation does. */
const logParams = ['follow', 'previous', 'sinceSeconds', 'sinceTime', 'timestamps', 'tailLines', 'limitBytes', 'insecureSkipTLSVerifyBackend'];
const streamParams = ['command', 'stdin', 'stdout', 'stderr', 'tty', 'container', 'ports'];

async function getObject(api: ApiServer, plural: string, namespace: string, name: string): Promise<StoredObject> {
  const entry = api.registry.find('', 'v1', plural)!;
  return api.generic.get(entry, namespace, name).catch((err: unknown) => {
    if (err instanceof StatusError && err.code === 404) throw notFound(entry.gr, name);
    throw err;
  });
}

export async function kubeletAddress(api: ApiServer, nodeName: string): Promise<{ host: string; port: number }> {
  const node = (await getObject(api, 'nodes', '', nodeName)) as unknown as Node;
  const addresses = node.status?.addresses ?? [];
  const host = addresses.find((a) => a.type === 'InternalIP')?.address ?? addresses.find((a) => a.type === 'ExternalIP')?.address ?? addresses.find((a) => a.type === 'Hostname')?.address;
  if (!host) throw serviceUnavailable(`no preferred addresses found; known addresses: []`);
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT };
}

/** The container a pod stream targets: the one named, or the only one (as upstream's validation). */
function containerFor(pod: Pod, requested: string | null, sub: string): string {
  const containers = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const ephemeral = pod.spec?.ephemeralContainers ?? [];
  const name = pod.metadata?.name ?? '';
  if (!requested) {
    if (containers.length === 1) return containers[0]!.name;
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`;
    if (inits.length) msg += ` or one of the init containers: [${inits.map((c) => c.name).join(' ')}]`;
    if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.map((c) => c.name).join(' ')}]`;
    throw badRequest(msg);
  }
  if ([...containers, ...inits, ...ephemeral].some((c) => c.name === requested)) return requested;
  throw badRequest(`container ${requested} is not valid for pod ${name}`);
}

function forward(query: URLSearchParams, names: string[], skip: string[] = []): string {
  const out = new URLSearchParams();
  for (const [k, v] of query) if (names.includes(k) && !skip.includes(k)) out.append(k, v);
  const s = out.toString();
  return s ? `?${s}` : '';
}

/** Where on which kubelet a pods/{log,exec,attach,portforward} or nodes/proxy request goes. */
export async function kubeletLocation(api: ApiServer, r: ResourceRequest): Promise<KubeletLocation> {
  const { info, query } = r;
  const sub = info.subresource;
  if (info.resource === 'nodes') {
    const { host, port } = await kubeletAddress(api, info.name);
    const q = query.toString();
    return { host, port, path: `/${info.rest.map(encodeURIComponent).join('/')}${q ? `?${q}` : ''}` };
  }
  const pod = (await getObject(api, 'pods', info.namespace, info.name)) as unknown as Pod;
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${info.name} does not have a host assigned`);
  const { host, port } = await kubeletAddress(api, nodeName);
  const ns = encodeURIComponent(info.namespace);
  const podName = encodeURIComponent(info.name);
  if (sub === 'portforward') return { host, port, path: `/portForward/${ns}/${podName}${forward(query, ['ports'])}` };
  const container = encodeURIComponent(containerFor(pod, query.get('container'), sub));
  if (sub === 'log') return { host, port, path: `/containerLogs/${ns}/${podName}/${container}${forward(query, logParams)}`, checkedAs: { resource: 'pods/log', name: info.name } };
  const kubeletSub = sub === 'exec' ? 'exec' : 'attach';
  return { host, port, path: `/${kubeletSub}/${ns}/${podName}/${container}${forward(query, streamParams, ['container'])}` };
}

// Credential headers never go to the kubelet: it trusts the API server's certificate.
const dropHeaders = new Set([...hopByHop, 'impersonate-user', 'impersonate-group', 'impersonate-uid']);

function forwardedHeaders(req: Request): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined || k.startsWith(':') || dropHeaders.has(k) || k.startsWith('impersonate-extra-')) continue;
    out[k] = v;
  }
  return out;
}

/**
 * A plain request (logs, nodes/proxy): the kubelet's status, headers and body stream back. For
 * pods/log an answer outside 2xx becomes a Status instead, as upstream's LocationStreamer with its
 * GenericHttpResponseChecker: kubectl then prints the kubelet's message ("previous terminated
 * container … not found") rather than "the server rejected our request for an unknown reason".
 */
export function relayRequest(req: Request, res: Response, loc: KubeletLocation, creds: KubeletClientCredentials | undefined): Promise<void> {
  const checkedAs = loc.checkedAs;
  const errorStatus = checkedAs ? (code: number, body: string) => responseError(code, body, checkedAs) : undefined;
  return relayHttp(req, res, { scheme: 'https', host: loc.host, port: loc.port, path: loc.path }, { creds, what: 'the node agent', errorStatus });
}

function responseError(code: number, body: string, checkedAs: { resource: string; name: string }): StatusError {
  if (code === 400) return badRequest(body);
  if (code === 500) return internalError(body);
  const reason: StatusReason = code === 404 ? 'NotFound' : code === 403 ? 'Forbidden' : code === 401 ? 'Unauthorized' : code === 503 ? 'ServiceUnavailable' : code === 504 ? 'Timeout' : 'InternalError';
  const generic = code === 404 ? 'the server could not find the requested resource' : `an error on the server ("${body}") has prevented the request from succeeding`;
  return new StatusError(code, reason, `${generic} (get ${checkedAs.resource} ${checkedAs.name})`, { name: checkedAs.name, kind: checkedAs.resource, causes: [{ reason: 'UnexpectedServerResponse', message: body }] });
}

/**
 * An Upgrade request (exec/attach/portforward over WebSocket or SPDY): the same request line and
 * headers go to the kubelet over TLS, then both sockets are spliced, so the 101 response and every
 * frame after it pass through unchanged.
 */
export function relayUpgrade(req: UpgradeRequest, loc: KubeletLocation, creds: KubeletClientCredentials | undefined): Promise<void> {
  const hijacked = req[upgradeHead];
  if (!hijacked) throw badRequest('Upgrade request required');
  const { socket, head } = hijacked;
  return new Promise((resolve, reject) => {
    const upstream = tlsConnect({ host: loc.host, port: loc.port, cert: creds?.certPem, key: creds?.keyPem, rejectUnauthorized: false, servername: undefined, ALPNProtocols: ['http/1.1'] });
    upstream.once('error', (err) => reject(serviceUnavailable(`error trying to reach the node agent at ${loc.host}:${loc.port}: ${err.message}`)));
    upstream.once('secureConnect', () => {
      upstream.removeAllListeners('error');
      const lines = [`${req.method} ${loc.path} HTTP/1.1`, `Host: ${loc.host}:${loc.port}`, 'Connection: Upgrade', `Upgrade: ${String(req.headers.upgrade)}`];
      for (const [k, v] of Object.entries(forwardedHeaders(req))) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
      const done = () => {
        upstream.destroy();
        socket.destroy();
        resolve();
      };
      upstream.on('close', done);
      socket.on('close', done);
      upstream.on('error', done);
      socket.on('error', done);
    });
  });
}
