// The network transport: HTTP/2 over TLS by default (one multiplexed session per server, as
// client-go), or HTTP/1.1 keep-alive through an https.Agent when asked (or for http:// URLs).
// TLS comes from the ClientConfig (CA, client certificate, insecure, tls-server-name); the
// Authorization header is computed per request so a rotated token file is picked up.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { SecureClientSessionOptions } from 'node:http2';
import type { ClientConfig } from '../kubeconfig/client-config.js';
import type { Transport, TransportRequest, TransportResponse } from '../types.js';
import { authorizationSource, type AuthHeaderSource } from './credentials.js';
import { Http2Connection } from './http2-connection.js';

export interface HttpsTransportOptions {
  /** Use HTTP/1.1 with keep-alive instead of HTTP/2 (default false). */
  http1?: boolean;
  /** User-Agent header (default "k8ts-client"). */
  userAgent?: string;
  /** HTTP/1.1 only: most sockets per host (default Infinity, like Node's agent). */
  maxSockets?: number;
}

export class HttpsTransport implements Transport {
  private readonly url: URL;
  /** Path prefix of the server URL (e.g. a proxy's /k8s/clusters/x), without trailing slash. */
  private readonly prefix: string;
  private readonly auth: AuthHeaderSource;
  private readonly h2?: Http2Connection;
  private readonly agent?: HttpAgent;
  private readonly userAgent: string;
  private closed = false;

  constructor(config: ClientConfig, opts: HttpsTransportOptions = {}) {
    this.url = new URL(config.server);
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') throw new Error(`unsupported server URL ${config.server}: expected https:// or http://`);
    this.prefix = this.url.pathname.replace(/\/+$/, '');
    this.auth = authorizationSource(config);
    this.userAgent = opts.userAgent ?? 'k8ts-client';
    const tls: SecureClientSessionOptions = {
      ca: config.ca,
      cert: config.cert,
      key: config.key,
      rejectUnauthorized: !config.insecure,
      ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
    };
    const secure = this.url.protocol === 'https:';
    if (secure && !opts.http1) {
      this.h2 = new Http2Connection(this.url.origin, tls);
    } else {
      const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? Infinity };
      this.agent = secure ? new HttpsAgent({ ...agentOpts, ...tls }) : new HttpAgent(agentOpts);
    }
  }

  /** "h2" or "http/1.1": which protocol requests use. */
  get protocol(): 'h2' | 'http/1.1' {
    return this.h2 ? 'h2' : 'http/1.1';
  }

  /** HTTP/2 sessions currently open (0 for HTTP/1.1). */
  get sessionCount(): number {
    return this.h2?.sessionCount ?? 0;
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    if (this.closed) throw new Error('transport is closed');
    const headers: Record<string, string> = { 'user-agent': this.userAgent, accept: 'application/json' };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const authorization = this.auth();
    if (authorization && !headers.authorization) headers.authorization = authorization;
    if (req.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const path = this.prefix + req.path;
    if (this.h2) {
      return this.h2.request({ ':method': req.method, ':path': path, ...withoutConnectionHeaders(headers) }, req.body, req.signal);
    }
    return this.http1(req, path, headers);
  }

  private http1(req: TransportRequest, path: string, headers: Record<string, string>): Promise<TransportResponse> {
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<TransportResponse>((resolve, reject) => {
      const r = send({
        protocol: this.url.protocol,
        hostname: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: this.url.port || undefined,
        method: req.method,
        path,
        headers,
        agent: this.agent,
        signal: req.signal,
      });
      r.on('response', (res: IncomingMessage) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
      r.on('error', reject);
      r.end(req.body);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.h2?.close();
    this.agent?.destroy();
  }
}

/** HTTP/2 forbids connection-specific headers; callers may pass them for HTTP/1.1. */
function withoutConnectionHeaders(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k === 'connection' || k === 'keep-alive' || k === 'transfer-encoding' || k === 'upgrade' || k === 'host') continue;
    out[k] = v;
  }
  return out;
}
