// A minimal ListerWatcher over node:https for tests and the benchmark, independent of the REST
// client: list = GET → JSON; watch = GET ?watch=1 → one JSON event per line. It fails loudly:
// a non-200 answer becomes an error carrying the Status code, a line that is not JSON or a
// connection that drops ends the stream with an error. `target()` is asked on every request, so
// a test can point it at a restarted server.
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../../src/api/object.js';
import type { ListerWatcher, ListOptions, ObjectList, WatchEvent, WatchOptions, WatchStream } from '../../../src/client/types.js';

export interface HttpsTarget {
  url: string;
  ca: string;
  cert: string;
  key: string;
}

export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

function query(opts: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function readAll(res: IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res) body += chunk as string;
  return body;
}

async function statusError(res: IncomingMessage): Promise<HttpStatusError> {
  const body = await readAll(res);
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string; code?: number };
    return new HttpStatusError(s.code ?? res.statusCode ?? 0, s.message ?? body, s.reason);
  } catch {
    return new HttpStatusError(res.statusCode ?? 0, body.slice(0, 300));
  }
}

export class HttpsListerWatcher<T extends KubeObject = KubeObject> implements ListerWatcher<T> {
  /** Set to make every request fail at once, as if the network were down. */
  offline = false;
  listCalls: ListOptions[] = [];
  watchCalls: WatchOptions[] = [];
  private agents = new Map<string, Agent>();

  /** @param path e.g. /api/v1/namespaces/default/configmaps */
  constructor(
    private readonly target: () => HttpsTarget,
    private readonly path: string,
  ) {}

  async list(opts: ListOptions): Promise<ObjectList<T>> {
    this.listCalls.push(opts);
    const res = await this.get(this.path + query({ ...opts }));
    if (res.statusCode !== 200) throw await statusError(res);
    return JSON.parse(await readAll(res)) as ObjectList<T>;
  }

  async watch(opts: WatchOptions): Promise<WatchStream<T>> {
    this.watchCalls.push(opts);
    const ac = new AbortController();
    const res = await this.get(this.path + query({ ...opts, watch: 1 }), ac.signal);
    if (res.statusCode !== 200) throw await statusError(res);
    return {
      stop: () => ac.abort(),
      [Symbol.asyncIterator]: () => lines<T>(res, ac.signal),
    };
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
  }

  private get(path: string, signal?: AbortSignal): Promise<IncomingMessage> {
    if (this.offline) return Promise.reject(new Error('connect ECONNREFUSED (offline)'));
    const t = this.target();
    const u = new URL(path, t.url);
    let agent = this.agents.get(t.url);
    if (!agent) this.agents.set(t.url, (agent = new Agent({ keepAlive: true, ca: t.ca, cert: t.cert, key: t.key })));
    const o: RequestOptions = { agent, method: 'GET', hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: { accept: 'application/json' }, signal };
    return new Promise((resolve, reject) => {
      const req = request(o, resolve);
      req.on('error', reject);
      req.end();
    });
  }
}

async function* lines<T extends KubeObject>(res: IncomingMessage, signal: AbortSignal): AsyncGenerator<WatchEvent<T>> {
  res.setEncoding('utf8');
  let pending = '';
  try {
    for await (const chunk of res) {
      pending += chunk as string;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) yield JSON.parse(line) as WatchEvent<T>;
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    throw err;
  }
  if (signal.aborted) return;
  if (!res.complete) throw new Error('watch connection closed before the response was complete');
  if (pending.trim()) throw new Error(`watch ended mid-line: ${pending.slice(0, 100)}`);
}
