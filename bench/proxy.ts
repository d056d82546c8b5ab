// Service proxy benchmarks (issue 6), userspace mode or (K8TS_BENCH_PROXY_MODE=nftables, as
// root with nft) kernel mode:
//   1. requests/s and p50/p99 latency of HTTP/1.1 through the proxy (ClusterIP) vs. direct to the
//      backend, with kept-alive connections and with a new connection per request; the "added"
//      p99 is proxied minus direct. Backend and load generator each run in their own process;
//      the proxy and the API server share this one, as in `k8ts up`. Proxied and direct runs
//      alternate; the ratio is the median of each run's proxied / the direct run next to it
//      (issue 6 targets: userspace ≥ 50 % of direct, kernel mode within 5 %).
//   2. rule update time: 5,000 Services × 10 endpoints (one EndpointSlice each) written through the
//      API; the time from the last write returning to the proxy having synced it, and the sync
//      itself; then single-endpoint changes among those 5,000 services: write → synced.
//
//   node --import tsx bench/proxy.ts
//   K8TS_BENCH_SECONDS=5 K8TS_BENCH_RUNS=5 K8TS_BENCH_CONCURRENCY=16 K8TS_BENCH_SERVICES=5000
//   K8TS_BENCH_PROXY_MODE=userspace|nftables  K8TS_BENCH_PARTS=http,rules
// Results go to bench/results/proxy[-MODE].json; a run of only some parts writes
// proxy[-MODE]-PARTS.json instead, so it never replaces the figures of the other part.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { KubeObject } from '../src/api/object.js';
import { ApiServer } from '../src/apiserver/server.js';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { Client } from '../src/client/rest/client.js';
import { resources } from '../src/client/rest/builtin-resources.js';
import { proxierFactories, startProxy, type ServiceProxy } from '../src/proxy/proxy.js';
import { NftablesProxier, nftablesProxier } from '../src/proxy/nftables/proxier.js';
import { createLogger } from '../src/util/log.js';
import { monoMs } from './lib/clock.js';
import { isMain } from './lib/main.js';
import { writeReport, type Metric } from './lib/report.js';
import { percentile } from './lib/stats.js';

const self = fileURLToPath(import.meta.url);
const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const seconds = env('K8TS_BENCH_SECONDS', 5);
const runs = env('K8TS_BENCH_RUNS', 5);
const concurrency = env('K8TS_BENCH_CONCURRENCY', 16);
const serviceCount = env('K8TS_BENCH_SERVICES', 5000);
const endpointsPerService = 10;
const changeSamples = env('K8TS_BENCH_CHANGES', 20);
const backendIP = '127.0.0.2';
const proxyMode = process.env.K8TS_BENCH_PROXY_MODE ?? 'userspace';
const allParts = ['http', 'rules'];
const parts = new Set((process.env.K8TS_BENCH_PARTS ?? allParts.join(',')).split(','));
/** What proxied / direct must reach: the kernel forwards in place, the userspace proxy copies every byte. */
const ratioTarget = { op: '>=' as const, value: proxyMode === 'nftables' ? 0.95 : 0.5 };

type Svc = Service & KubeObject;
type Slice = EndpointSlice & KubeObject;

// ---- child processes ------------------------------------------------------------------------

/** Child mode: an HTTP server answering "ok" on backendIP:0; prints its port. */
async function backendMain(): Promise<void> {
  const server = createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, backendIP, r));
  console.log(`port ${(server.address() as { port: number }).port}`);
  process.once('SIGTERM', () => process.exit(0));
}

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

/** Child mode: `concurrency` loops of GET / against host:port for `seconds`; prints a LoadResult as JSON. */
async function loadMain(host: string, port: number, mode: 'keepalive' | 'newconn', secs: number, conc: number): Promise<void> {
  const agent = mode === 'keepalive' ? new Agent({ keepAlive: true, maxSockets: conc }) : new Agent({ keepAlive: false });
  const latencies: number[] = [];
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = monoMs();
      const req = request({ host, port, path: '/', agent, headers: mode === 'newconn' ? { connection: 'close' } : {} }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(monoMs() - t0);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  // Warm-up (connections, JIT) for a second, not counted.
  const warmEnd = monoMs() + 1000;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (monoMs() < warmEnd) await one();
  }));
  latencies.length = 0;
  errors = 0;
  const started = monoMs();
  const end = started + secs * 1000;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (monoMs() < end) await one();
  }));
  const took = (monoMs() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const r: LoadResult = { requests: latencies.length, errors, seconds: took, p50: percentile(latencies, 0.5, true), p99: percentile(latencies, 0.99, true) };
  console.log(JSON.stringify(r));
  agent.destroy();
}

// Children still running when this process exits are killed with it.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function child(args: string[]): { proc: ChildProcess; lines: AsyncIterableIterator<string> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', self, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return { proc, lines: createInterface({ input: proc.stdout! })[Symbol.asyncIterator]() };
}

async function runLoad(host: string, port: number, mode: 'keepalive' | 'newconn'): Promise<LoadResult> {
  const { lines } = child(['load', host, String(port), mode, String(seconds), String(concurrency)]);
  const line = await lines.next();
  return JSON.parse(line.value as string) as LoadResult;
}

// ---- the cluster in this process ------------------------------------------------------------

async function startCluster(): Promise<{ client: Client; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-proxy-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  const api = new ApiServer(store, undefined, {});
  await api.start();
  api.advertise = { host: '127.0.0.1', port: 6443 };
  await api.bootstrap();
  const client = Client.inProcess(((req: never, res: never) => api.handle(req, res)) as never, { username: 'system:admin', groups: ['system:masters'] });
  return {
    client,
    close: async () => {
      await client.close();
      api.cache.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function slice(name: string, service: string, ips: string[], port: number): Slice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'bench.k8ts.io' } },
    addressType: 'IPv4',
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
    ports: [{ name: '', port, protocol: 'TCP' }],
  };
}

/** Runs `fn` over `items` with at most `n` in flight. */
async function pool<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

async function throughput(client: Client, proxy: ServiceProxy): Promise<Metric[]> {
  const backend = child(['backend']);
  const port = Number(((await backend.lines.next()).value as string).split(' ')[1]);
  const svc = await client.resource(resources.services).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
  const sl = await client.resource(resources.endpointSlices).create(slice('web-1', 'web', [backendIP], port));
  await proxy.synced([svc, sl]);
  const metrics: Metric[] = [];
  for (const mode of ['keepalive', 'newconn'] as const) {
    const direct: LoadResult[] = [];
    const proxied: LoadResult[] = [];
    // Alternating which goes first, so a slow spell on this shared machine hits both sides.
    for (let i = 0; i < runs; i++) {
      if (i % 2) proxied.push(await runLoad(svc.spec!.clusterIP!, 80, mode));
      direct.push(await runLoad(backendIP, port, mode));
      if (!(i % 2)) proxied.push(await runLoad(svc.spec!.clusterIP!, 80, mode));
    }
    const rps = (r: LoadResult) => r.requests / r.seconds;
    const label = mode === 'keepalive' ? 'keep-alive' : 'new connection per request';
    metrics.push(
      { name: `HTTP req/s through the proxy (${label})`, unit: 'req/s', runs: proxied.map(rps) },
      { name: '  direct to the backend', unit: 'req/s', runs: direct.map(rps) },
      { name: '  proxied / direct', unit: 'ratio', runs: proxied.map((p, i) => rps(p) / rps(direct[i])), target: ratioTarget },
      { name: '  p99 latency through the proxy', unit: 'ms', runs: proxied.map((r) => r.p99) },
      { name: '  p99 latency direct', unit: 'ms', runs: direct.map((r) => r.p99) },
      { name: '  added p99 latency', unit: 'ms', runs: proxied.map((p, i) => p.p99 - direct[i].p99) },
      { name: '  errors through the proxy', unit: 'count', runs: proxied.map((r) => r.errors) },
    );
  }
  backend.proc.kill('SIGTERM');
  await client.resource(resources.services).delete('web', { namespace: 'default' });
  return metrics;
}

async function ruleUpdates(client: Client, first: ServiceProxy, restart: () => Promise<ServiceProxy>): Promise<{ metrics: Metric[]; proxy: ServiceProxy }> {
  let proxy = first;
  const services = client.resource(resources.services);
  const slices = client.resource(resources.endpointSlices);
  const ipOf = (s: number, e: number) => `10.${128 + (s >> 8)}.${s & 255}.${e + 1}`;
  const syncs: number[] = [];
  const onSync = (e: { durationMs: number }) => syncs.push(e.durationMs);
  proxy.events.on('sync', onSync);
  const t0 = monoMs();
  const created = await pool([...Array(serviceCount).keys()], 32, async (i) => {
    const svc = await services.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { ports: [{ port: 8000 + (i % 1000) }] } });
    const sl = await slices.create(slice(`s${i}-1`, `s${i}`, Array.from({ length: endpointsPerService }, (_, e) => ipOf(i, e)), 8080));
    return [svc, sl] as const;
  });
  const lastWrite = monoMs();
  await proxy.synced(created.flat(), 300_000);
  const synced = monoMs();
  proxy.events.off('sync', onSync);
  // A proxy starting with all of them there: list both resources, one sync of everything.
  await proxy.stop();
  const coldStart = monoMs();
  proxy = await restart();
  const coldStartMs = monoMs() - coldStart;
  const servicePorts = proxy.services.size;
  const coldNote = proxy.proxier instanceof NftablesProxier ? `${servicePorts} service ports; nft applied the first sync in ${proxy.proxier.lastSync?.applyMs.toFixed(0)} ms` : `${servicePorts} service ports, ${(proxy.proxier as unknown as { listening(): string[] }).listening().length} listeners`;
  const nftApply: number[] = [];
  // Single-endpoint changes among those services: the steady-state latency.
  const change: number[] = [];
  for (let k = 0; k < changeSamples; k++) {
    const i = Math.floor(Math.random() * serviceCount);
    const t = monoMs();
    const sl = await slices.update({ ...created[i][1], metadata: { ...created[i][1].metadata, resourceVersion: undefined }, endpoints: created[i][1].endpoints!.slice(0, endpointsPerService - 1 - (k % 2)) });
    await proxy.synced(sl);
    change.push(monoMs() - t);
    if (proxy.proxier instanceof NftablesProxier && proxy.proxier.lastSync && !proxy.proxier.lastSync.full) nftApply.push(proxy.proxier.lastSync.applyMs);
  }
  return { proxy, metrics: [
    { name: `${serviceCount} services × ${endpointsPerService} endpoints: last write → synced`, unit: 'ms', runs: [synced - lastWrite] },
    { name: '  writing them (API, 32 in flight)', unit: 'ms', runs: [lastWrite - t0] },
    { name: '  longest single sync', unit: 'ms', runs: [Math.max(...syncs)] },
    { name: '  syncs', unit: 'count', runs: [syncs.length] },
    { name: `proxy start with ${serviceCount} services present (list + first sync)`, unit: 'ms', runs: [coldStartMs], note: coldNote },
    { name: `one endpoint change among ${serviceCount} services: write → synced`, unit: 'ms', runs: change, target: { op: '<=', value: 100 } },
    ...(nftApply.length ? [{ name: '  of which nft applying the change', unit: 'ms', runs: nftApply }] : []),
  ] };
}

async function main(): Promise<void> {
  // The machine is shared: its load when the run started goes into the report next to the load at the end.
  const loadAtStart = Math.round(loadavg()[0] * 100) / 100;
  const cluster = await startCluster();
  const log = createLogger('proxy', { level: 'warn' });
  // A table of the benchmark's own: a `k8ts up` running as root on this host uses the default one.
  proxierFactories['nftables-bench'] = (o) => nftablesProxier({ ...o, table: 'k8ts-proxy-bench' });
  const mode = proxyMode === 'nftables' ? 'nftables-bench' : proxyMode;
  const start = () => startProxy({ client: cluster.client, nodeName: 'bench', log, nodeAddresses: ['127.0.0.1'], mode });
  let proxy = await start();
  try {
    const http = parts.has('http') ? await throughput(cluster.client, proxy) : [];
    const rules = parts.has('rules') ? await ruleUpdates(cluster.client, proxy, start) : { proxy, metrics: [] };
    proxy = rules.proxy;
    const metrics = [...http, ...rules.metrics];
    const base = proxyMode === 'userspace' ? 'proxy' : `proxy-${proxyMode}`;
    const partial = allParts.filter((p) => parts.has(p));
    const name = partial.length === allParts.length ? base : `${base}-${partial.join('-')}`;
    writeReport(name, `service proxy (${proxyMode} mode)`, metrics, { seconds, runs, concurrency, services: serviceCount, endpointsPerService, mode: proxyMode, parts: partial.join(','), loadAvg1mAtStart: loadAtStart });
  } finally {
    await proxy.stop();
    await cluster.close();
  }
  process.exit(0);
}

if (isMain(import.meta.url)) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'backend') await backendMain();
  else if (mode === 'load') await loadMain(args[0], Number(args[1]), args[2] as 'keepalive' | 'newconn', Number(args[3]), Number(args[4]));
  else await main();
}

