// Writing responses: JSON bodies, Status errors, and the headers kubectl relies on.
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { internalError, isStatusError, type StatusError } from '../../api/status.js';

export type Response = ServerResponse | Http2ServerResponse;

/** Writes a JSON response; `body` is an object to serialize, or its JSON already as text or bytes. */
export function writeJSON(res: Response, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers });
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
