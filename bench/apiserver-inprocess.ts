// The API server's own CPU cost per pod create and per LIST of 10,000 pods, without TLS, HTTP
// framing or load clients: the real ApiServer over sqlite in this process, driven through its
// request function (the whole filter chain and handlers) with minimal request/response objects,
// 16 creates in flight. On a machine shared with other work this is steadier than the HTTPS
// benchmarks, which it complements: it shows what our code costs; they add the transport.
// Usage: node --import tsx bench/apiserver-inprocess.ts [runs=5] [creates=5000] [listPods=10000]
// Caveat: it runs the TypeScript sources through tsx, whose module bindings add a little to every
// call across modules; code that makes many such calls in a loop looks slower here than in the
// bundled server (dist/k8ts.mjs). Compare versions with each other, not with the HTTPS figures.
// With --cpu-prof (node --cpu-prof --import tsx ...) the profile covers our code only; with
// --expose-gc it also reports the JS heap per stored pod.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ApiServer } from '../src/apiserver/server.js';
import { inProcessUserKey } from '../src/apiserver/filters/authentication.js';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { isMain } from './lib/populate.js';
import { benchPod } from './lib/pod.js';
import { writeReport, type Metric, type ReportedMetric } from './lib/report.js';
import { round } from './lib/stats.js';

const admin = { username: 'system:admin', groups: ['system:masters'] };

/** The parts of a response the handlers use on the create and list paths. */
class BenchResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  bytes = 0;
  writeHead(code: number): this {
    this.statusCode = code;
    this.headersSent = true;
    return this;
  }
  setHeader(): this {
    return this;
  }
  write(chunk: string | Buffer): boolean {
    this.bytes += chunk.length;
    return true;
  }
  end(chunk?: string | Buffer): void {
    if (chunk) this.bytes += chunk.length;
    this.emit('finish');
  }
}

function request(method: string, url: string, body?: string): Readable {
  const req = Readable.from(body ? [Buffer.from(body)] : []) as Readable & Record<string | symbol, unknown>;
  req.method = method;
  req.url = url;
  req.headers = { 'content-type': 'application/json', accept: 'application/json', 'user-agent': 'bench/1.0' };
  req.socket = {};
  req[inProcessUserKey] = admin;
  return req;
}

function call(api: ApiServer, method: string, url: string, body?: string): Promise<BenchResponse> {
  const res = new BenchResponse();
  return new Promise((resolve) => {
    res.once('finish', () => resolve(res));
    api.handle(request(method, url, body) as never, res as never);
  });
}

async function createMany(api: ApiServer, ns: string, prefix: string, count: number, inFlight: number): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const i = next++;
      const r = await call(api, 'POST', `/api/v1/namespaces/${ns}/pods`, JSON.stringify(benchPod(`${prefix}-${i}`, i)));
      if (r.statusCode !== 201) throw new Error(`create ${prefix}-${i}: HTTP ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
}

async function timedList(api: ApiServer, path: string): Promise<{ ms: number; cpuMs: number; bytes: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await call(api, 'GET', path);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (r.statusCode !== 200) throw new Error(`GET ${path}: HTTP ${r.statusCode}`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes: r.bytes };
}

/** A namespace and its "default" ServiceAccount (no controller runs here; pod admission needs the account). */
async function namespaceWithAccount(api: ApiServer, name: string): Promise<void> {
  await call(api, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  await call(api, 'POST', `/api/v1/namespaces/${name}/serviceaccounts`, JSON.stringify({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }));
}

export async function runInProcessBench(runs: number, creates: number, listPods: number): Promise<ReportedMetric[]> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-inprocess-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  const api = new ApiServer(store, undefined, {});
  try {
    await api.start();
    api.advertise = { host: '127.0.0.1', port: 6443 };
    await api.bootstrap();
    await namespaceWithAccount(api, 'bench');
    // Warm-up (not reported): lets V8 optimise the path.
    await createMany(api, 'bench', 'warm', 3000, 16);
    const stats0 = store.stats();
    const cpuPerCreate: number[] = [];
    const perSec: number[] = [];
    for (let r = 0; r < runs; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await createMany(api, 'bench', `r${r}`, creates, 16);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const ms = (cpu.user + cpu.system) / 1000 / creates;
      cpuPerCreate.push(ms);
      perSec.push((creates / wall) * 1000);
      console.log(`  run ${r + 1}: ${round(ms)} ms CPU per create, ${Math.round((creates / wall) * 1000)} creates/s in this process`);
    }
    const stats1 = store.stats();
    const batch = (stats1.writes - stats0.writes) / Math.max(1, stats1.commits - stats0.commits);
    console.log(`  mean writes per sqlite commit (group commit): ${round(batch)}`);
    // LIST: a namespace of listPods pods, created here (their JSON comes from the write path) and
    // once more after a restart of the API server would not be; the first LIST serializes.
    // With --expose-gc: heap per stored pod, measured after the LISTs (so it includes each pod's
    // kept JSON text, where the server keeps one).
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    await namespaceWithAccount(api, 'list');
    await createMany(api, 'list', 'p', listPods, 16);
    const listMs: number[] = [];
    const listCpu: number[] = [];
    let bytes = 0;
    for (let r = 0; r < runs; r++) {
      const l = await timedList(api, '/api/v1/namespaces/list/pods');
      listMs.push(l.ms);
      listCpu.push(l.cpuMs);
      bytes = l.bytes;
      console.log(`  LIST ${listPods} pods: ${round(l.ms)} ms, ${round(l.cpuMs)} ms CPU, ${(l.bytes / 2 ** 20).toFixed(1)} MiB`);
    }
    let heapPerPod: number | undefined;
    if (gc) {
      gc();
      heapPerPod = (process.memoryUsage().heapUsed - heap0) / listPods / 1024;
      console.log(`  heap per stored pod: ${round(heapPerPod)} KiB`);
    }
    const metrics: Metric[] = [
      { name: 'server CPU per create, in-process (no TLS/HTTP)', unit: 'ms', runs: cpuPerCreate },
      { name: '  creates/s in-process, 16 in flight', unit: 'pods/s', runs: perSec, note: 'one core; the sqlite commit runs on this thread too' },
      { name: `LIST ${listPods} pods JSON, in-process`, unit: 'ms', runs: listMs, note: `${(bytes / 2 ** 20).toFixed(1)} MiB; no TLS` },
      { name: '  CPU per LIST, in-process', unit: 'ms', runs: listCpu },
    ];
    if (heapPerPod !== undefined) metrics.push({ name: 'JS heap per stored pod, after LIST', unit: 'KiB', runs: [heapPerPod], note: 'node --expose-gc; heapUsed after a full GC' });
    return writeReport('apiserver-inprocess', 'API server CPU per pod create and per LIST, in process', metrics, { creates, runs, listPods });
  } finally {
    api.cache.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  await runInProcessBench(Number(process.argv[2] ?? 5), Number(process.argv[3] ?? 5000), Number(process.argv[4] ?? 10_000));
}
