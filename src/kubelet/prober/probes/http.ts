// httpGet probes and lifecycle hooks (upstream pkg/probe/http and the kubelet's probe request
// builder). One GET without keep-alive; a status in [200, 400) is success. Redirects are followed
// up to 10 times; a probe (followNonLocalRedirects false) stops at a redirect to another host and
// reports it as a Warning, as upstream does. HTTPS does not verify the certificate.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KUBERNETES_MAJOR, KUBERNETES_MINOR } from '../../../util/version.js';
import { dialError } from './net-errors.js';
import { joinHostPort, maxProbeOutput, type ProbeOutcome } from './result.js';

export interface HttpGetTarget {
  scheme: 'HTTP' | 'HTTPS';
  host: string;
  port: number;
  path: string;
  headers?: { name: string; value: string }[];
  timeoutMs: number;
  /** Follow redirects to other hosts (lifecycle hooks do; probes do not). */
  followNonLocalRedirects?: boolean;
}

export interface HttpGetResponse {
  statusCode: number;
  body: string;
  /** True when a redirect to another host was not followed. */
  stoppedAtRedirect: boolean;
}

export const probeUserAgent = `kube-probe/${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}`;

/** The URL upstream builds: scheme://host:port + path (path may carry a query). */
export function probeUrl(t: Pick<HttpGetTarget, 'scheme' | 'host' | 'port' | 'path'>): URL {
  const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
  return new URL(`${t.scheme.toLowerCase()}://${joinHostPort(t.host, t.port)}${path}`);
}

/** A Go http.Client-like GET. Throws an Error whose message reads as Go's *url.Error. */
export async function httpGet(t: HttpGetTarget): Promise<HttpGetResponse> {
  const first = probeUrl(t);
  const deadline = Date.now() + t.timeoutMs;
  let url = first;
  for (let redirects = 0; ; redirects++) {
    const res = await getOnce(url, t, deadline);
    const location = res.headers.location;
    if (res.statusCode >= 300 && res.statusCode < 400 && location && [301, 302, 303, 307, 308].includes(res.statusCode)) {
      const next = new URL(location, url);
      if (!t.followNonLocalRedirects && next.hostname !== first.hostname) return { statusCode: res.statusCode, body: res.body, stoppedAtRedirect: true };
      if (redirects + 1 >= 10) throw new Error(`Get ${JSON.stringify(next.toString())}: stopped after 10 redirects`);
      url = next;
      continue;
    }
    return { statusCode: res.statusCode, body: res.body, stoppedAtRedirect: false };
  }
}

function getOnce(url: URL, t: HttpGetTarget, deadline: number): Promise<{ statusCode: number; headers: IncomingMessage['headers']; body: string }> {
  const headers: Record<string, string> = {};
  for (const h of t.headers ?? []) headers[h.name.toLowerCase()] = h.value;
  headers['user-agent'] ??= probeUserAgent;
  headers['accept'] ??= '*/*';
  headers['connection'] = 'close';
  const addr = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || (url.protocol === 'https:' ? 443 : 80)));
  const prefix = `Get ${JSON.stringify(url.toString())}`;
  return new Promise((resolve, reject) => {
    let gotHeaders = false;
    const remaining = Math.max(0, deadline - Date.now());
    const opts = { method: 'GET', headers, agent: false as const, rejectUnauthorized: false };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, (res) => {
      gotHeaders = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < maxProbeOutput) chunks.push(c.subarray(0, maxProbeOutput - size));
        size += c.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => fail(err));
    });
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(new Error(`${prefix}: ${dialError(addr, err)}`));
    };
    const timer = setTimeout(() => {
      req.destroy();
      const why = gotHeaders ? '(Client.Timeout or context cancellation while reading body)' : '(Client.Timeout exceeded while awaiting headers)';
      reject(new Error(`${prefix}: context deadline exceeded ${why}`));
    }, remaining);
    req.on('error', fail);
    req.end();
  });
}

/** upstream DoHTTPProbe: the probe's result and the message an Unhealthy event shows. */
export async function httpProbe(t: HttpGetTarget): Promise<ProbeOutcome> {
  let res: HttpGetResponse;
  try {
    res = await httpGet({ ...t, followNonLocalRedirects: t.followNonLocalRedirects ?? false });
  } catch (err) {
    // Transport errors (refused, timeout) are failures, not errors: they are counted.
    return { result: 'Failure', output: (err as Error).message };
  }
  if (res.statusCode >= 200 && res.statusCode < 400) {
    if (res.statusCode >= 300) return { result: 'Warning', output: `Probe terminated redirects, Response body: ${res.body}` };
    return { result: 'Success', output: res.body };
  }
  // Upstream keeps the body out of the message (it may hold secrets; kubernetes#99425).
  return { result: 'Failure', output: `HTTP probe failed with statuscode: ${res.statusCode}` };
}
