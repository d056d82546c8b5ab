// Writing responses: JSON bodies, Status errors, and the headers kubectl relies on.
import type { ServerResponse } from 'node:http';
import { internalError, isStatusError, type StatusError } from '../../api/status.js';
import { Http2Response } from './http2-exchange.js';

/** An HTTP/1.1 response, or an HTTP/2 stream's (http2-exchange.ts). */
export type Response = ServerResponse | Http2Response;

/**
 * Writes a JSON response; `body` is an object to serialize, or its JSON already as text or bytes.
 * The length is always sent: without it HTTP/1.1 frames the body in chunks (more writes to the
 * TLS socket for nothing), and HTTP/2 needs no extra frame to end the stream.
 */
export function writeJSON(res: Response, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  const length = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (res instanceof Http2Response && isEmpty(headers)) {
    // The same headers as below, in the form HTTP/2 sends them.
    res.respondWith(code, { ':status': code, 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'content-length': String(length) });
    res.end(text);
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': String(length), ...headers });
  res.end(text);
}

function isEmpty(headers: Record<string, string>): boolean {
  for (const k in headers) if (Object.hasOwn(headers, k)) return false;
  return true;
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
