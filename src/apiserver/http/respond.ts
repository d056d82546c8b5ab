// Writing responses: JSON bodies, Status errors, and the headers kubectl relies on.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Http2ServerResponse, ServerHttp2Stream } from 'node:http2';
import { internalError, isStatusError, type StatusError } from '../../api/status.js';

export type Response = ServerResponse | Http2ServerResponse;

/**
 * Writes a JSON response; `body` is an object to serialize, or its JSON already as text or bytes.
 * The length is always sent: without it HTTP/1.1 frames the body in chunks (more writes to the
 * TLS socket for nothing). An HTTP/2 response is written on its stream directly: Node's
 * compatibility API always asks for trailers, which costs every response an extra round into
 * JavaScript and an empty DATA frame to end the stream; here the body's frame ends it.
 */
export function writeJSON(res: Response, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  const stream = (res as Partial<Http2ServerResponse>).stream as (ServerHttp2Stream & { headRequest?: boolean }) | undefined;
  if (stream !== undefined && typeof stream.respond === 'function' && !stream.headRequest && code !== 204 && code !== 205 && code !== 304) {
    // (The compatibility response emits 'finish' when the stream closes, as before.)
    if (stream.destroyed || stream.closed) return;
    res.statusCode = code;
    const h: OutgoingHttpHeaders = { ':status': code, 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'content-length': length };
    for (const k of Object.keys(headers)) h[k.toLowerCase()] = headers[k];
    stream.respond(h);
    stream.end(text);
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': String(length), ...headers });
  res.end(text);
}

export function writeText(res: Response, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

/** Turns any thrown value into the Status the client sees; unexpected errors become 500s. */
export function toStatusError(err: unknown): StatusError {
  if (isStatusError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return internalError(message);
}

export function writeError(res: Response, err: StatusError): void {
  writeJSON(res, err.code, err.toStatus());
}

/** Upstream's Warning header: `299 - "text"`. */
export function warningHeaders(warnings: string[]): Record<string, string> {
  if (!warnings.length) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') };
}
