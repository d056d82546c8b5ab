// grpc probe: one grpc.health.v1.Health/Check call over HTTP/2 cleartext (upstream pkg/probe/grpc).
// The request and response are tiny protobuf messages, encoded by hand:
//   HealthCheckRequest  { string service = 1; }
//   HealthCheckResponse { ServingStatus status = 1; }  UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { dialError } from './net-errors.js';
import { joinHostPort, type ProbeOutcome } from './result.js';

const servingStatus = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const grpcCodes = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** A length-delimited gRPC message frame: flag byte (uncompressed), 4-byte big-endian length, body. */
export function grpcFrame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

export function encodeHealthCheckRequest(service: string): Buffer {
  if (!service) return Buffer.alloc(0);
  const s = Buffer.from(service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
}

/** Reads field 1 (varint) of a HealthCheckResponse; unknown fields are skipped. */
export function decodeHealthCheckResponse(buf: Buffer): number {
  let i = 0;
  let status = 0;
  while (i < buf.length) {
    const [tag, afterTag] = readVarint(buf, i);
    i = afterTag;
    const field = tag >> 3;
    const wire = tag & 7;
    if (wire === 0) {
      const [v, next] = readVarint(buf, i);
      if (field === 1) status = v;
      i = next;
    } else if (wire === 2) {
      const [len, next] = readVarint(buf, i);
      i = next + len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return status;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

function readVarint(buf: Buffer, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (let i = at; i < buf.length; i++) {
    v += (buf[i]! & 0x7f) * 2 ** shift;
    if ((buf[i]! & 0x80) === 0) return [v, i + 1];
    shift += 7;
  }
  throw new Error('truncated protobuf varint');
}

/** Go's time.Duration String for whole milliseconds ("1s", "1.5s", "500ms"). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${ms / 1000}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${(ms - m * 60_000) / 1000}s`;
}

export async function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = goDuration(timeoutMs);
  let session: ClientHttp2Session | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProbeOutcome>((resolve) => {
    timer = setTimeout(() => {
      const connected = session && !session.connecting;
      resolve({
        result: 'Failure',
        output: connected ? `timeout: health rpc did not complete within ${timeout}` : `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded`,
      });
    }, timeoutMs);
  });
  const call = new Promise<ProbeOutcome>((resolve) => {
    session = connect(`http://${addr}`);
    session.on('error', (err) => resolve({ result: 'Failure', output: `error: failed to connect service at ${JSON.stringify(addr)}: ${dialError(addr, err)}` }));
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
      'user-agent': 'kube-probe',
    });
    const chunks: Buffer[] = [];
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {}); // the session's error (or the deadline) answers
    stream.on('end', () => resolve(interpret(addr, headers, trailers, Buffer.concat(chunks), timeout)));
    // A reset stream ends without 'end'; whatever arrived decides (resolve is first-wins). The
    // session's connect error is emitted after the stream closes: give it a turn to win.
    stream.on('close', () => setImmediate(() => resolve(interpret(addr, headers, trailers, Buffer.concat(chunks), timeout))));
    stream.end(grpcFrame(encodeHealthCheckRequest(service)));
  });
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
    session?.destroy();
  }
}

function interpret(addr: string, headers: IncomingHttpHeaders, trailers: IncomingHttpHeaders, body: Buffer, timeout: string): ProbeOutcome {
  const httpStatus = Number(headers[':status'] ?? 0);
  // No response at all: the peer is not an HTTP/2 server (or closed the connection).
  if (httpStatus === 0) return { result: 'Failure', output: `error: failed to connect service at ${JSON.stringify(addr)}: connection closed before server preface received` };
  const statusText = trailers['grpc-status'] ?? headers['grpc-status'];
  const message = decodeURIComponent(String(trailers['grpc-message'] ?? headers['grpc-message'] ?? ''));
  const code = statusText === undefined ? (httpStatus === 200 ? 2 : 14) : Number(statusText);
  if (code !== 0) {
    const name = grpcCodes[code] ?? `Code(${code})`;
    if (name === 'Unimplemented') return { result: 'Failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${message}` };
    if (name === 'DeadlineExceeded') return { result: 'Failure', output: `timeout: health rpc did not complete within ${timeout}` };
    return { result: 'Failure', output: `error: health rpc probe failed: rpc error: code = ${name} desc = ${message || (statusText === undefined ? `unexpected HTTP status code ${httpStatus}` : '')}` };
  }
  if (body.length < 5) return { result: 'Failure', output: 'error: health rpc probe failed: rpc error: code = Internal desc = no response message' };
  const status = decodeHealthCheckResponse(body.subarray(5, 5 + body.readUInt32BE(1)));
  if (status !== 1) return { result: 'Failure', output: `service unhealthy (responded with ${JSON.stringify(servingStatus[status] ?? String(status))})` };
  return { result: 'Success', output: 'service is serving' };
}
