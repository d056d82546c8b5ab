// What each request of a scheduled pod's life costs the API server process, in CPU ms per
// request over HTTPS/HTTP/2 (read from /proc, so other load on the machine inflates it less than
// it does throughput): the pod's create, its binding, the Scheduled event, and the watch events
// each pod watcher costs (create and bind, with 0 and then 2 pod watchers open — the scheduler's
// informer and a kubelet-like or benchmark watch). Also the client side: CPU ms per request in
// the process sending them.
import { randomUUID } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { monoMs } from './clock.js';
import type { Metric } from './report.js';
import { median } from './stats.js';
import { startServer, type ServerOptions, type ServerProcess } from './server-process.js';

type P = Pod & KubeObject;

export interface RequestCostOptions {
  /** Requests per phase (default 2000). */
  count?: number;
  /** Requests in flight (default 32, as the scheduler bench's pod creator). */
  concurrency?: number;
  /** Rounds of every phase; each figure is their median (default 3). */
  rounds?: number;
  /** Pods in the template: a scheduler_perf pod by default. */
  pod?: (name: string) => P;
  /** How to start the server process (e.g. nodeArgs for a --cpu-prof run). */
  server?: ServerOptions;
}

async function parallel(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

/** Server and client CPU ms per request while fn sends n requests. */
async function measure(server: ServerProcess, n: number, fn: () => Promise<void>): Promise<{ serverMs: number; clientMs: number; perSec: number }> {
  const s0 = server.cpuMs();
  const c0 = process.cpuUsage();
  const t0 = monoMs();
  await fn();
  const wall = monoMs() - t0;
  const c = process.cpuUsage(c0);
  return { serverMs: (server.cpuMs() - s0) / n, clientMs: (c.user + c.system) / 1000 / n, perSec: (n / wall) * 1000 };
}

/** Now as a MicroTime (RFC 3339 with microseconds), as client-go's metav1.MicroTime marshals. */
const microTime = (): string => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const defaultPod = (name: string): P => {
  const requests = { cpu: '100m', memory: '500Mi' };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests, limits: requests } }] },
  };
};

export async function measureRequestCosts(opts: RequestCostOptions = {}): Promise<Metric[]> {
  const n = Number(process.env.K8TS_REQ_COSTS_COUNT) || (opts.count ?? 2000);
  const conc = opts.concurrency ?? 32;
  const template = opts.pod ?? defaultPod;
  const ns = 'req-costs';
  const server = await startServer(opts.server);
  const client = Client.fromConfig(loadConfig({ kubeconfig: server.kubeconfig }));
  // K8TS_REQ_COSTS_WATCHERS=N: N pod watchers instead of the scheduler's and the bench's two (A/B runs of the watch path).
  const nw = Number(process.env.K8TS_REQ_COSTS_WATCHERS) || 2;
  const watchers = Array.from({ length: nw }, () => Client.fromConfig(loadConfig({ kubeconfig: server.kubeconfig })));
  try {
    const pods = client.resource(resources.pods);
    await client.resource(resources.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await parallel(100, conc, async (i) => {
      await client.resource(resources.nodes).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` } });
    });
    const create = (prefix: string) => () => parallel(n, conc, async (i) => void (await pods.create({ ...template(`${prefix}-${i}`) }, { namespace: ns })));
    const bind = (prefix: string) => () =>
      parallel(n, conc, async (i) => void (await pods.bind(`${prefix}-${i}`, { metadata: { name: `${prefix}-${i}`, namespace: ns }, target: { kind: 'Node', name: `node-${i % 100}` } }, { namespace: ns })));
    // The scheduler's Scheduled event, shaped as client-go's events recorder (tools/events) sends
    // it: name "<pod>.<hex nanoseconds>", eventTime as MicroTime, the regarding pod's uid and
    // resourceVersion, reportingController/Instance and action.
    const events = client.resource(resources.events);
    const event = (prefix: string) => () =>
      parallel(n, conc, async (i) => {
        const pod = `${prefix}-${i}`;
        const nowNs = BigInt(Date.now()) * 1_000_000n + BigInt(i);
        await events.create(
          {
            apiVersion: 'events.k8s.io/v1',
            kind: 'Event',
            metadata: { name: `${pod}.${nowNs.toString(16)}`, namespace: ns },
            eventTime: microTime(),
            reportingController: 'default-scheduler',
            reportingInstance: 'default-scheduler-bench',
            action: 'Binding',
            reason: 'Scheduled',
            regarding: { kind: 'Pod', namespace: ns, name: pod, uid: randomUUID(), apiVersion: 'v1', resourceVersion: String(1000 + i) },
            note: `Successfully assigned ${ns}/${pod} to node-${i % 100}`,
            type: 'Normal',
          },
          { namespace: ns },
        );
      });

    // Warm-up (JIT, caches), then rounds alternating without and with watchers.
    await create('x')();
    await bind('x')();
    await event('x')();
    const rounds = Number(process.env.K8TS_REQ_COSTS_ROUNDS) || (opts.rounds ?? 3);
    const r: Record<'c0' | 'b0' | 'c2' | 'b2' | 'e', Array<{ serverMs: number; clientMs: number; perSec: number }>> = { c0: [], b0: [], c2: [], b2: [], e: [] };
    let seen = 0;
    const createName = `API server CPU per request (${n} per run, ${conc} in flight, HTTPS/HTTP/2): pod create, no watchers`;
    const eventName = '  events.k8s.io/v1 Event create (the Scheduled event)';
    // K8TS_REQ_COSTS_ONLY=creates: only the pod creates and Event creates without watchers, for
    // A/B runs of the create path (the other figures are then left out).
    if (process.env.K8TS_REQ_COSTS_ONLY === 'creates') {
      for (let round = 0; round < rounds; round++) {
        r.c0.push(await measure(server, n, create(`a${round}`)));
        r.e.push(await measure(server, n, event(`e${round}`)));
      }
      return [
        { name: createName, unit: 'ms', runs: r.c0.map((x) => x.serverMs) },
        { name: eventName, unit: 'ms', runs: r.e.map((x) => x.serverMs) },
      ];
    }
    for (let round = 0; round < rounds; round++) {
      r.c0.push(await measure(server, n, create(`a${round}`)));
      r.b0.push(await measure(server, n, bind(`a${round}`)));
      r.e.push(await measure(server, n, event(`e${round}`)));
      // The pod watchers for the next two phases, reading every event as an informer would.
      const stop = new AbortController();
      const list = await pods.list({ namespace: ns, limit: 1 });
      const watching = watchers.map(async (w) => {
        const stream = await w.resource(resources.pods).watch({ namespace: ns, resourceVersion: list.metadata.resourceVersion, signal: stop.signal });
        try {
          for await (const ev of stream) if (ev.type !== 'BOOKMARK') seen++;
        } catch {
          // Aborted at the end.
        }
      });
      r.c2.push(await measure(server, n, create(`w${round}`)));
      r.b2.push(await measure(server, n, bind(`w${round}`)));
      stop.abort();
      await Promise.allSettled(watching);
    }
    const server_ = (k: keyof typeof r) => r[k].map((x) => x.serverMs);
    const client_ = (k: keyof typeof r) => r[k].map((x) => x.clientMs);
    const rate = (k: keyof typeof r) => `${Math.round(median(r[k].map((x) => x.perSec)))}/s`;
    const perWatcher = r.c2.map((c, i) => (c.serverMs - r.c0[i].serverMs + r.b2[i].serverMs - r.b0[i].serverMs) / (2 * nw));
    return [
      { name: createName, unit: 'ms', runs: server_('c0'), note: rate('c0') },
      { name: `  pod create with ${nw} pod watchers`, unit: 'ms', runs: server_('c2'), note: rate('c2') },
      { name: '  pods/binding, no watchers', unit: 'ms', runs: server_('b0'), note: rate('b0') },
      { name: `  pods/binding with ${nw} pod watchers`, unit: 'ms', runs: server_('b2'), note: rate('b2') },
      { name: eventName, unit: 'ms', runs: server_('e'), note: rate('e') },
      { name: '  one watch event to one watcher (mean of create and bind)', unit: 'ms', runs: perWatcher },
      { name: `  a scheduled pod with ${nw} watchers (create + bind + event)`, unit: 'ms', runs: r.c2.map((c, i) => c.serverMs + r.b2[i].serverMs + r.e[i].serverMs) },
      { name: 'client CPU per request: pod create', unit: 'ms', runs: client_('c0') },
      { name: '  pods/binding', unit: 'ms', runs: client_('b0') },
      { name: '  Event create', unit: 'ms', runs: client_('e') },
      { name: `  reading a pod watch event (${nw} watchers, create and bind events)`, unit: 'ms', runs: r.c2.map((c, i) => (c.clientMs - r.c0[i].clientMs + r.b2[i].clientMs - r.b0[i].clientMs) / (2 * nw)), note: `${seen} events read` },
    ];
  } finally {
    await Promise.all([client.close(), ...watchers.map((w) => w.close())]);
    await server.stop();
  }
}
