// The network transport over TLS (or plain HTTP for http:// URLs). Three ways to carry requests:
// - 'h2' (the default): every request multiplexed on one HTTP/2 session, as client-go does;
// - 'http/1.1' (also when DISABLE_HTTP2 is set, as client-go): HTTP/1.1 keep-alive sockets, unary
//   requests in a bounded pool, each watch (or followed log) on a socket of its own;
// - 'split': watches on one HTTP/2 session; unary requests over the HTTP/1.1 pool while it has
//   room, beyond that on the HTTP/2 session too (no request waits for a socket).
// Measured client and server CPU per request (as bench/lib/request-costs.ts does, on a loaded
// 2-core machine): HTTP/1.1 costs less on both ends when requests go one at a time (Node's HTTP/2
// pays per stream), HTTP/2 as little or less with dozens in flight (many frames per read). Neither
// won the scheduler bench there, so the default stays HTTP/2; the others are there to measure
// (bench/scheduler.ts K8TS_BENCH_SCHED_PROTOCOL, K8TS_BENCH_CLIENT_PROTOCOL) and to pick.
// TLS comes from the ClientConfig (CA, client certificate, insecure, tls-server-name); the
// Authorization header is computed per request so a rotated token file is picked up.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { SecureClientSessionOptions } from 'node:http2';
import type { ClientConfig } from '../kubeconfig/client-config.js';
import type { BufferedResponse, Transport, TransportRequest, TransportResponse } from '../types.js';
import { authorizationSource, type AuthHeaderSource } from './credentials.js';
import { Http2Connection } from './http2-connection.js';
import { bufferResponse } from './read-body.js';

export type HttpsProtocol = 'h2' | 'http/1.1' | 'split';

export interface HttpsTransportOptions {
  /** How requests travel (default 'h2', or 'http/1.1' when DISABLE_HTTP2 is set, as client-go); see the top of this file. */
  protocol?: HttpsProtocol;
  /** Shorthand for protocol 'http/1.1'. */
  http1?: boolean;
  /** User-Agent header (default DEFAULT_USER_AGENT). */
  userAgent?: string;
  /** HTTP/1.1 unary requests: most sockets open at once (default 16); beyond that requests wait for
   *  one ('http/1.1') or go over HTTP/2 ('split'). */
  maxSockets?: number;
}

export const DEFAULT_USER_AGENT = 'k8ts-client';

/** Unary requests in flight over HTTP/1.1 by default: plenty for one server that answers in well
 *  under a millisecond, few enough that a burst does not open (and TLS-handshake) hundreds. */
const defaultMaxSockets = 16;

/** Watches and followed logs: requests that last as long as the server streams. */
const longRunningQuery = /[?&](?:watch|follow)=(?:1|true)(?:&|$)/;

export function isLongRunning(path: string): boolean {
  return path.includes('?') && longRunningQuery.test(path);
}

/** 'h2', or 'http/1.1' when DISABLE_HTTP2 is set to anything (client-go's SetTransportDefaults). */
export function defaultProtocol(env: NodeJS.ProcessEnv = process.env): HttpsProtocol {
  return env.DISABLE_HTTP2 ? 'http/1.1' : 'h2';
}

export class HttpsTransport implements Transport {
  /** Path prefix of the server URL (e.g. a proxy's /k8s/clusters/x), without trailing slash. */
  private readonly prefix: string;
  private readonly auth: AuthHeaderSource;
  private readonly h2?: Http2Connection;
  /** HTTP/1.1 unary requests: a bounded keep-alive pool. */
  private readonly agent?: HttpAgent;
  /** HTTP/1.1 watches: a socket each, never queued behind the unary pool's bound. */
  private readonly streamAgent?: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly target: Pick<RequestOptions, 'protocol' | 'hostname' | 'port'>;
  private readonly userAgent: string;
  readonly mode: HttpsProtocol;
  private readonly maxSockets: number;
  /** Unary HTTP/1.1 requests not finished yet (request 'close'). */
  private h1InFlight = 0;
  private closed = false;

  constructor(config: ClientConfig, opts: HttpsTransportOptions = {}) {
    const url = new URL(config.server);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`unsupported server URL ${config.server}: expected https:// or http://`);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.auth = authorizationSource(config);
    this.userAgent = opts.userAgent ?? DEFAULT_USER_AGENT;
    const tls: SecureClientSessionOptions = {
      ca: config.ca,
      cert: config.cert,
      key: config.key,
      rejectUnauthorized: !config.insecure,
      ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
    };
    const secure = url.protocol === 'https:';
    // HTTP/2 needs TLS (ALPN) here: plain http:// is always HTTP/1.1.
    this.mode = !secure ? 'http/1.1' : opts.http1 ? 'http/1.1' : (opts.protocol ?? defaultProtocol());
    this.maxSockets = opts.maxSockets ?? defaultMaxSockets;
    if (this.mode !== 'http/1.1') this.h2 = new Http2Connection(url.origin, tls);
    if (this.mode !== 'h2') {
      const Agent = secure ? HttpsAgent : HttpAgent;
      this.agent = new Agent({ keepAlive: true, maxSockets: this.maxSockets, ...(secure ? tls : {}) });
      if (this.mode === 'http/1.1') this.streamAgent = new Agent({ keepAlive: true, ...(secure ? tls : {}) });
    }
    this.send = secure ? httpsRequest : httpRequest;
    this.target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined };
  }

  /** "h2" or "http/1.1": which protocol unary requests use. */
  get protocol(): 'h2' | 'http/1.1' {
    return this.mode === 'h2' ? 'h2' : 'http/1.1';
  }

  /** HTTP/2 sessions currently open (0 when nothing went over HTTP/2). */
  get sessionCount(): number {
    return this.h2?.sessionCount ?? 0;
  }

  /** HTTP/1.1 sockets open (in use or idle), unary pool and watches together. */
  get socketCount(): number {
    return countSockets(this.agent) + countSockets(this.streamAgent);
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const path = this.prefix + req.path;
    if (this.overHttp2(path)) return this.h2!.request(this.headers(req, path, true), req.body, req.signal);
    return this.http1(req, path, this.headers(req, path, false), this.streamAgent && isLongRunning(path) ? this.streamAgent : this.agent!);
  }

  /** request() with the body read whole: over HTTP/2 straight from the stream's frames. With
   *  `skip2xxBody` (the REST client's requests whose answer nobody decodes), a 2xx answer over
   *  HTTP/2 is read to its end but not kept (its body comes back empty); other answers, and
   *  answers over HTTP/1.1, keep their body. */
  requestBuffered(req: TransportRequest, skip2xxBody = false): Promise<BufferedResponse> {
    // Not async: one promise per request fewer; a failure to prepare still rejects.
    try {
      const path = this.prefix + req.path;
      if (this.overHttp2(path)) return this.h2!.requestBuffered(this.headers(req, path, true), req.body, req.signal, skip2xxBody);
      return this.http1(req, path, this.headers(req, path, false), this.streamAgent && isLongRunning(path) ? this.streamAgent : this.agent!).then(bufferResponse);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private overHttp2(path: string): boolean {
    return this.mode === 'h2' || (this.mode === 'split' && (this.h1InFlight >= this.maxSockets || isLongRunning(path)));
  }

  /** The request's headers; over HTTP/2 with the pseudo-headers first and without HTTP/1.1's
   *  connection-specific headers. */
  private headers(req: TransportRequest, path: string, h2: boolean): Record<string, string> {
    if (this.closed) throw new Error('transport is closed');
    const headers: Record<string, string> = h2
      ? { ':method': req.method, ':path': path, 'user-agent': this.userAgent, accept: 'application/json' }
      : { 'user-agent': this.userAgent, accept: 'application/json' };
    if (req.headers) {
      for (const k in req.headers) headers[k.toLowerCase()] = req.headers[k];
      if (h2) withoutConnectionHeaders(headers);
    }
    if (headers.authorization === undefined) {
      const authorization = this.auth();
      if (authorization) headers.authorization = authorization;
    }
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    return headers;
  }

  private http1(req: TransportRequest, path: string, headers: Record<string, string>, agent: HttpAgent): Promise<TransportResponse> {
    return new Promise<TransportResponse>((resolve, reject) => {
      const r: ClientRequest = this.send({ ...this.target, method: req.method, path, headers, agent, signal: req.signal });
      if (agent === this.agent) {
        this.h1InFlight++;
        r.once('close', () => this.h1InFlight--);
      }
      r.on('response', (res: IncomingMessage) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      r.on('error', reject);
      r.end(req.body);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.h2?.close();
    this.agent?.destroy();
    this.streamAgent?.destroy();
  }
}

function countSockets(agent: HttpAgent | undefined): number {
  if (!agent) return 0;
  let n = 0;
  for (const list of [agent.sockets, agent.freeSockets]) for (const k in list) n += list[k]?.length ?? 0;
  return n;
}

const connectionHeaders = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host'];

/** HTTP/2 forbids connection-specific headers; callers may pass them for HTTP/1.1. Deletes them in
 *  place, only those present: a delete turns the object into a slow (dictionary) one. */
function withoutConnectionHeaders(h: Record<string, string>): void {
  for (let i = 0; i < connectionHeaders.length; i++) if (connectionHeaders[i] in h) delete h[connectionHeaders[i]];
}
