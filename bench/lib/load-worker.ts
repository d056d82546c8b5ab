// A load generator process: receives one task over IPC, runs it against the server and sends
// the result back. Runs apart from the orchestrator and the server so each has its own CPU budget.
import { constants, type ClientHttp2Session, type ClientHttp2Stream } from 'node:http2';
import { monoMs, sleepUntil } from './clock.js';
import { h2Session, makeClient, type HttpClient } from './http-client.js';
import { benchPod } from './pod.js';
import type {
  ClosedLoopResult,
  ClosedLoopTask,
  OpenLoopResult,
  OpenLoopTask,
  OrchestratorMessage,
  Task,
  WatchResult,
  WatchTask,
  WorkerMessage,
} from './tasks.js';

const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const errorText = (status: number, body: Buffer): string => `HTTP ${status}: ${body.toString('utf8').slice(0, 300)}`;

async function closedLoop(t: ClosedLoopTask): Promise<ClosedLoopResult> {
  const client = await makeClient(t.proto, t.creds, t.connections);
  const path = `/api/v1/namespaces/${t.namespace}/pods`;
  // Bodies are built before the clock starts: the benchmark measures the server, not JSON.stringify.
  const bodies = Array.from({ length: t.maxCount }, (_, k) => JSON.stringify(benchPod(`${t.prefix}-${t.firstIndex + k}`, t.firstIndex + k)));
  // One request per connection before the clock starts: TLS handshakes are not part of the run.
  await Promise.all(Array.from({ length: t.connections }, () => client.request('GET', '/readyz')));
  const startAt = await readyToStart();
  const cpu0 = cpuNow();
  const deadline = startAt + t.maxMs;
  const latencies: number[] = [];
  let issued = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  let last = monoMs();
  const loop = async (): Promise<void> => {
    while (issued < t.maxCount && monoMs() < deadline) {
      const body = bodies[issued++];
      const a = monoMs();
      try {
        const r = await client.request('POST', path, body);
        if (r.status === 201) ok++;
        else {
          errors++;
          firstError ??= errorText(r.status, r.body);
        }
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
      last = monoMs();
      latencies.push(last - a);
    }
  };
  await Promise.all(Array.from({ length: t.clients }, loop));
  const cpuMs = cpuNow() - cpu0;
  client.close();
  return { ok, errors, firstError, elapsedMs: last - startAt, latencies, cpuMs };
}

async function openLoop(t: OpenLoopTask): Promise<OpenLoopResult> {
  const client: HttpClient = await makeClient(t.proto, t.creds, t.connections);
  const base = `/api/v1/namespaces/${t.namespace}/pods`;
  const interval = 1000 / t.ratePerSec;
  const total = Math.floor((t.durationMs / 1000) * t.ratePerSec);
  const samples: OpenLoopResult['samples'] = [];
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const pending: Promise<void>[] = [];
  await client.request('GET', '/readyz');
  const startAt = await readyToStart();
  const cpu0 = cpuNow();
  for (let i = 0; i < total; i++) {
    // A steady mix of the three mutating verbs: create pod c, patch pod c-10, delete pod c-20
    // (at 100/s targets were created 0.3 s and 0.6 s earlier, so a slow create does not turn the
    // patch or delete after it into a 404).
    const c = Math.floor(i / 3);
    const phase = i % 3;
    const target = phase === 0 ? c : phase === 1 ? c - 10 : c - 20;
    if (target < 0) continue;
    const scheduled = startAt + i * interval;
    await sleepUntil(scheduled);
    const name = `${t.prefix}-${target}`;
    const verb = phase === 0 ? 'create' : phase === 1 ? 'patch' : 'delete';
    const sent = monoMs();
    const req =
      verb === 'create'
        ? client.request('POST', base, JSON.stringify(benchPod(name, target)))
        : verb === 'patch'
          ? client.request('PATCH', `${base}/${name}`, JSON.stringify({ metadata: { labels: { touched: String(i) } } }), { 'content-type': 'application/merge-patch+json' })
          : client.request('DELETE', `${base}/${name}`);
    pending.push(
      req.then(
        (r) => {
          const done = monoMs();
          samples.push({ verb, ms: done - scheduled, lateMs: sent - scheduled, atMs: scheduled - startAt });
          if (r.status >= 200 && r.status < 300) ok++;
          else {
            errors++;
            firstError ??= `${verb} ${name}: ${errorText(r.status, r.body)}`;
          }
        },
        (err: unknown) => {
          errors++;
          firstError ??= `${verb} ${name}: ${String(err)}`;
        },
      ),
    );
  }
  await Promise.all(pending);
  const cpuMs = cpuNow() - cpu0;
  client.close();
  return { ok, errors, firstError, samples, cpuMs };
}

let finishWatch: (() => void) | undefined;
let startWith: ((startAt: number) => void) | undefined;

/** Tells the orchestrator this worker is prepared and waits for the common start time. */
async function readyToStart(): Promise<number> {
  const startAt = await new Promise<number>((resolve) => {
    startWith = resolve;
    send({ type: 'ready' });
  });
  await sleepUntil(startAt);
  return startAt;
}

async function watch(t: WatchTask): Promise<WatchResult> {
  const sessions: ClientHttp2Session[] = await Promise.all(Array.from({ length: t.sessions }, () => h2Session(t.creds)));
  const arrivals: Record<string, number[]> = {};
  const cpu0 = cpuNow();
  let failedWatchers = 0;
  let firstError: string | undefined;
  // Receipt times are taken in the data handler; parsing waits for setImmediate so that one
  // watcher's JSON.parse does not delay the timestamp of the next watcher's chunk.
  let queue: { t: number; line: string }[] = [];
  let scheduled = false;
  const processQueue = () => {
    scheduled = false;
    const q = queue;
    queue = [];
    for (const { t: at, line } of q) {
      let ev: { type?: string; object?: { metadata?: { name?: string } } };
      try {
        ev = JSON.parse(line) as typeof ev;
      } catch {
        firstError ??= `unparsable watch line: ${line.slice(0, 200)}`;
        continue;
      }
      const m = ev.type === 'ADDED' ? /^w-(\d+)$/.exec(ev.object?.metadata?.name ?? '') : null;
      if (!m) continue;
      const list = (arrivals[m[1]] ??= []);
      list.push(at);
      if (list.length === t.watchers - failedWatchers) send({ type: 'round', round: Number(m[1]) });
    }
  };
  const streams: ClientHttp2Stream[] = [];
  const path = `/api/v1/namespaces/${t.namespace}/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${t.resourceVersion}&timeoutSeconds=${Math.ceil(t.maxMs / 1000)}`;
  await Promise.all(
    Array.from({ length: t.watchers }, (_, k) => {
      const stream = sessions[k % sessions.length].request({ [constants.HTTP2_HEADER_PATH]: path, accept: 'application/json' });
      streams.push(stream);
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const at = monoMs();
        partial += chunk;
        let nl: number;
        while ((nl = partial.indexOf('\n')) >= 0) {
          queue.push({ t: at, line: partial.slice(0, nl) });
          partial = partial.slice(nl + 1);
        }
        if (!scheduled) {
          scheduled = true;
          setImmediate(processQueue);
        }
      });
      return new Promise<void>((resolve) => {
        stream.on('response', (h) => {
          if (Number(h[constants.HTTP2_HEADER_STATUS]) !== 200) {
            failedWatchers++;
            firstError ??= `watch answered HTTP ${String(h[constants.HTTP2_HEADER_STATUS])}`;
          }
          resolve();
        });
        stream.on('error', (err) => {
          failedWatchers++;
          firstError ??= String(err);
          resolve();
        });
        stream.end();
      });
    }),
  );
  send({ type: 'ready' });
  await new Promise<void>((resolve) => {
    finishWatch = resolve;
    setTimeout(resolve, t.maxMs).unref();
  });
  processQueue();
  const cpuMs = cpuNow() - cpu0;
  for (const s of streams) s.close(constants.NGHTTP2_CANCEL);
  for (const s of sessions) s.close();
  return { arrivals, failedWatchers, firstError, cpuMs };
}

async function run(task: Task): Promise<void> {
  try {
    const result = task.kind === 'closed' ? await closedLoop(task) : task.kind === 'open' ? await openLoop(task) : await watch(task);
    send({ type: 'result', result });
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
}

process.on('message', (m: OrchestratorMessage) => {
  if (m.type === 'task') void run(m.task);
  else if (m.type === 'start') startWith?.(m.startAt);
  else if (m.type === 'finish') finishWatch?.();
});
// The orchestrator going away ends the worker too.
process.on('disconnect', () => process.exit(0));
send({ type: 'hello' });
