// Test doubles for prober and hook tests: a runtime whose execSync runs the command as a real
// host process (everything else is unused), an event recorder that keeps what it is told, and
// real local HTTP/TCP/gRPC servers on ports from the OS.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../../src/client/record/recorder.js';
import type { ExecResult, Runtime } from '../../../src/kubelet/runtime/types.js';
import { decodeHealthCheckResponse, grpcFrame } from '../../../src/kubelet/prober/probes/grpc.js';

export interface ExecCall {
  containerId: string;
  cmd: string[];
  timeoutMs: number;
}

/** A Runtime whose execSync spawns `cmd` on the host (with a timeout as CRI ExecSync has). */
export function execRuntime(): Runtime & { calls: ExecCall[] } {
  const calls: ExecCall[] = [];
  const execSync = (containerId: string, cmd: string[], timeoutMs: number) =>
    new Promise<ExecResult>((resolve, reject) => {
      calls.push({ containerId, cmd, timeoutMs });
      const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), timeoutMs) : undefined;
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code ?? -1, timedOut });
      });
    });
  const unused = () => {
    throw new Error('not used by these tests');
  };
  return new Proxy({ name: 'exec-stub', calls, execSync } as unknown as Runtime & { calls: ExecCall[] }, {
    get: (target, prop) => (prop in target ? (target as never)[prop] : unused),
  });
}

export interface RecordedEvent {
  fieldPath?: string;
  type: string;
  reason: string;
  message: string;
}

export function eventLog(): EventRecorder & { events: RecordedEvent[] } {
  const events: RecordedEvent[] = [];
  const push = (o: unknown, type: string, reason: string, message: string) => events.push({ fieldPath: (o as ObjectReference).fieldPath, type, reason, message });
  return {
    events,
    event: push,
    eventf: (o, type, reason, fmt, ...args) => push(o, type, reason, fmt.replace(/%[sdv]/g, () => String(args.shift()))),
    annotatedEventf: (o, _a, type, reason, fmt, ...args) => push(o, type, reason, fmt.replace(/%[sdv]/g, () => String(args.shift()))),
  };
}

/** An HTTP server answering each path with the status the test sets (200 by default). */
export interface ProbeHttpServer {
  port: number;
  status: Map<string, number>;
  hits: Map<string, number>;
  requests: IncomingMessage[];
  /** Makes a path redirect to `location`. */
  redirects: Map<string, string>;
  /** Paths whose answer never comes. */
  hang: Set<string>;
  close(): Promise<void>;
}

export async function startHttpServer(): Promise<ProbeHttpServer> {
  const s: Omit<ProbeHttpServer, 'port' | 'close'> = { status: new Map(), hits: new Map(), requests: [], redirects: new Map(), hang: new Set() };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    s.requests.push(req);
    s.hits.set(path, (s.hits.get(path) ?? 0) + 1);
    if (s.hang.has(path)) return;
    const to = s.redirects.get(path);
    if (to) {
      res.writeHead(302, { location: to });
      return res.end('moved');
    }
    const code = s.status.get(path) ?? 200;
    res.writeHead(code, { 'content-type': 'text/plain' });
    res.end(`status ${code} for ${path}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...s,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** A port nothing listens on (bound and released). */
export async function freePort(): Promise<number> {
  const srv = createTcpServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export async function listenTcp(port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const srv = createTcpServer((sock) => sock.end());
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  return { port: (srv.address() as AddressInfo).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

/**
 * A gRPC health server over HTTP/2 cleartext, written against the wire format: statuses per
 * service name (1 SERVING, 2 NOT_SERVING); an unknown service answers NOT_FOUND, as grpc-go's
 * health server does; any other method answers UNIMPLEMENTED.
 */
export async function startGrpcHealthServer(statuses: Record<string, number>): Promise<{ port: number; close(): Promise<void> }> {
  const server: Http2Server = createHttp2Server();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service grpc.health.v1.Health' }, { endStream: true });
        return;
      }
      const body = Buffer.concat(chunks);
      const req = body.subarray(5);
      // HealthCheckRequest.service is field 1 (length-delimited); decode it by hand.
      const service = req.length > 2 ? req.subarray(2, 2 + req[1]!).toString('utf8') : '';
      const status = statuses[service];
      if (status === undefined) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'unknown service' }, { endStream: true });
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(grpcFrame(Buffer.from([0x08, status])));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export { decodeHealthCheckResponse };
