// Relays one HTTP request to a backend the API server reaches itself (a kubelet, a pod, a
// Service endpoint) and streams the answer back as it arrives, so `kubectl logs -f` and proxied
// long polls flow; the caller going away closes the backend request.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { internalError, serviceUnavailable, type StatusError } from '../../api/status.js';
import type { Request } from '../http/body.js';
import type { Response } from '../http/respond.js';

export interface RelayTarget {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Path and query on the backend. */
  path: string;
}

/** Hop-by-hop headers, and the caller's credentials, which are for the API server only. */
export const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'authorization']);

/** Most of an error body that is read into a Status, as upstream's maxReadLength. */
const MAX_ERROR_BODY = 50_000;

export interface RelayOptions {
  creds?: { certPem: string; keyPem: string };
  /** Verify the backend's certificate against these roots, for this name (an aggregated API server's caBundle). */
  verify?: { caPem?: string; serverName?: string };
  /** Headers set on the backend request; a caller's headers that `owns` claims are dropped first. */
  headers?: { owns(name: string): boolean; values: Record<string, string | string[]> };
  what?: string;
  /**
   * Turns a backend answer outside 2xx into a Status instead of passing it through (upstream's
   * GenericHttpResponseChecker), given the code and the start of the body.
   */
  errorStatus?: (code: number, body: string) => StatusError;
}

export function relayHttp(req: Request, res: Response, target: RelayTarget, opts: RelayOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !k.startsWith(':') && !hopByHop.has(k) && !k.startsWith('impersonate-') && !opts.headers?.owns(k)) headers[k] = v;
    if (opts.headers) Object.assign(headers, opts.headers.values);
    const send = target.scheme === 'https' ? httpsRequest : httpRequest;
    // Without `verify`, backends' serving certificates are not verified, as upstream does without --kubelet-certificate-authority.
    const tls = opts.verify ? { rejectUnauthorized: true, ...(opts.verify.caPem ? { ca: opts.verify.caPem } : {}), ...(opts.verify.serverName ? { servername: opts.verify.serverName } : {}) } : { rejectUnauthorized: false };
    const out = send({ host: target.host, port: target.port, path: target.path, method: req.method, headers, cert: opts.creds?.certPem, key: opts.creds?.keyPem, ...tls }, (upstream) => {
      const code = upstream.statusCode ?? 502;
      const errorStatus = opts.errorStatus;
      if (errorStatus && (code < 200 || code > 206)) {
        let body = '';
        upstream.setEncoding('utf8');
        upstream.on('data', (d: string) => {
          if (body.length < MAX_ERROR_BODY) body += d;
        });
        upstream.on('end', () => reject(errorStatus(code, body.slice(0, MAX_ERROR_BODY))));
        upstream.on('error', (err) => reject(internalError(err.message)));
        return;
      }
      const back: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !hopByHop.has(k)) back[k] = v;
      res.writeHead(code, back as never);
      (res as { flushHeaders?: () => void }).flushHeaders?.();
      upstream.on('data', (chunk: Buffer) => (res as { write(c: Buffer): boolean }).write(chunk));
      const done = () => {
        res.end();
        resolve();
      };
      upstream.on('end', done);
      upstream.on('error', done);
      res.on('close', () => upstream.destroy());
    });
    out.on('error', (err) => reject(serviceUnavailable(`error trying to reach ${opts.what ?? 'service'}: ${err.message}`)));
    req.pipe(out);
  });
}
