// A minimal HTTPS client for the storm that classifies every request by what the client
// actually learned: a complete 2xx answer, a complete error answer, or no (complete) answer.
// A response cut off by the kill is "no answer": the client cannot know what happened.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { ClientTls } from './server-process.js';

export type Outcome =
  | { kind: 'ok'; status: number; body: unknown }
  | { kind: 'error'; status: number; body: string }
  | { kind: 'noanswer'; reason: string };

export interface ApiClient {
  readonly url: string;
  request(method: string, path: string, body?: string): Promise<Outcome>;
  /**
   * Opens a streaming GET and calls onLine for every complete line. Resolves once the response
   * headers arrive with their status; `ended` settles when the stream stops for any reason.
   */
  stream(path: string, onLine: (line: string) => void): Promise<{ status: number; ended: Promise<string>; abort(): void }>;
  close(): void;
}

/** Requests that get no answer in this long count as unanswered (the server hung). */
const requestTimeoutMs = 30_000;

export function apiClient(url: string, tls: ClientTls, maxSockets = 16): ApiClient {
  const agent = new Agent({ keepAlive: true, maxSockets, ca: tls.ca, cert: tls.cert, key: tls.key });
  const base = new URL(url);
  const options = (method: string, path: string, headers: Record<string, string>) => ({
    method,
    agent,
    hostname: base.hostname,
    port: base.port,
    path,
    headers: { Accept: 'application/json', ...headers },
  });

  const doRequest = (method: string, path: string, body?: string): Promise<Outcome> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (o: Outcome) => {
        if (!settled) {
          settled = true;
          resolve(o);
        }
      };
      const headers: Record<string, string> = body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
      const req = request(options(method, path, headers), (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('aborted', () => settle({ kind: 'noanswer', reason: 'response aborted' }));
        res.on('error', (err) => settle({ kind: 'noanswer', reason: `response: ${err.message}` }));
        res.on('end', () => {
          if (!res.complete) return settle({ kind: 'noanswer', reason: 'response incomplete' });
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) return settle({ kind: 'error', status, body: text });
          try {
            settle({ kind: 'ok', status, body: JSON.parse(text) as unknown });
          } catch {
            // A complete 2xx whose body is not JSON is a server bug, not an unknown outcome.
            settle({ kind: 'error', status, body: `unparseable 2xx body: ${text.slice(0, 200)}` });
          }
        });
      });
      req.setTimeout(requestTimeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (err) => settle({ kind: 'noanswer', reason: err.message }));
      req.end(body);
    });

  const stream: ApiClient['stream'] = (path, onLine) =>
    new Promise((resolve, reject) => {
      const req = request(options('GET', path, {}), (res) => {
        let buf = '';
        let endedWith: (reason: string) => void = () => {};
        const ended = new Promise<string>((r) => (endedWith = r));
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.trim()) onLine(line);
          }
        });
        res.on('end', () => endedWith(res.complete ? 'end' : 'cut off'));
        res.on('aborted', () => endedWith('aborted'));
        res.on('error', (err) => endedWith(err.message));
        res.on('close', () => endedWith('closed'));
        resolve({ status: res.statusCode ?? 0, ended, abort: () => req.destroy() });
      });
      req.on('error', reject);
      req.end();
    });

  return { url, request: doRequest, stream, close: () => agent.destroy() };
}
