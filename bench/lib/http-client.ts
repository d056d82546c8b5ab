// Minimal HTTPS clients for load: HTTP/1.1 over a keep-alive agent and HTTP/2 sessions, both
// authenticating with the admin client certificate. Bodies are returned as Buffers and not
// parsed, so the client spends as little CPU as possible per request.
import { Agent, request as httpsRequest } from 'node:https';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import type { Credentials } from './kubeconfig.js';

export type Protocol = 'h1' | 'h2';

export interface Reply {
  status: number;
  body: Buffer;
}

export interface HttpClient {
  request(method: string, path: string, body?: string, headers?: Record<string, string>): Promise<Reply>;
  close(): void;
}

/** Per-request bound: no benchmark request may hang forever. */
export const requestTimeoutMs = 30_000;

/** One keep-alive agent holding up to `connections` sockets. */
export function h1Client(creds: Credentials, connections: number): HttpClient {
  const u = new URL(creds.url);
  const agent = new Agent({ keepAlive: true, maxSockets: connections, ca: creds.ca, cert: creds.cert, key: creds.key });
  return {
    request: (method, path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = httpsRequest(
          {
            agent,
            method,
            hostname: u.hostname,
            port: u.port,
            path,
            timeout: requestTimeoutMs,
            headers: {
              accept: 'application/json',
              ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

// Flow-control windows as Go's HTTP/2 transport (client-go) sets them: 4 MiB per stream and a
// large connection window. Node's default of 64 KiB would make a big LIST wait on WINDOW_UPDATE
// round trips and measure the client's window, not the server.
const streamWindow = 4 << 20;
const connectionWindow = 1 << 30;

/** Opens one HTTP/2 session and waits until it is connected. */
export function h2Session(creds: Credentials): Promise<ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = connect(creds.url, { ca: creds.ca, cert: creds.cert, key: creds.key, settings: { initialWindowSize: streamWindow } });
    session.once('error', reject);
    session.once('connect', () => {
      session.off('error', reject);
      session.setLocalWindowSize(connectionWindow);
      // A session error after connect fails the streams on it; keep it from crashing the process.
      session.on('error', () => undefined);
      resolve(session);
    });
  });
}

/** Requests spread round-robin over `sessions` HTTP/2 connections. */
export async function h2Client(creds: Credentials, sessions: number): Promise<HttpClient> {
  const pool = await Promise.all(Array.from({ length: sessions }, () => h2Session(creds)));
  let next = 0;
  return {
    request: (method, path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const session = pool[next++ % pool.length];
        const stream = session.request({
          [constants.HTTP2_HEADER_METHOD]: method,
          [constants.HTTP2_HEADER_PATH]: path,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        });
        stream.setTimeout(requestTimeoutMs, () => stream.close(constants.NGHTTP2_CANCEL));
        let status = 0;
        const chunks: Buffer[] = [];
        stream.on('response', (h) => (status = Number(h[constants.HTTP2_HEADER_STATUS])));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
        stream.on('error', reject);
        stream.on('close', () => {
          if (status === 0) reject(new Error(`${method} ${path}: stream closed without a response`));
        });
        stream.end(body);
      }),
    close: () => {
      for (const s of pool) s.close();
    },
  };
}

export function makeClient(proto: Protocol, creds: Credentials, connections: number): Promise<HttpClient> {
  return proto === 'h1' ? Promise.resolve(h1Client(creds, connections)) : h2Client(creds, connections);
}

/** A request that must succeed with a 2xx; returns the body parsed as JSON. */
export async function requestJSON<T = unknown>(client: HttpClient, method: string, path: string, body?: unknown): Promise<T> {
  const r = await client.request(method, path, body === undefined ? undefined : JSON.stringify(body));
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 500)}`);
  return JSON.parse(r.body.toString('utf8')) as T;
}
