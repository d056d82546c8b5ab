// Informer benchmarks (issue 3): the memory an informer needs to hold 100,000 pods, and how many
// events per second flow through one — with no transport at all (the cache machinery alone), over
// HTTPS (HTTP/2) to a server in another process, and over the in-process transport to a server in
// this process. Events come from a writer process creating then updating ConfigMaps as fast as the
// server takes them ("live": bounded by the server's write rate), and from the server replaying
// those same writes from its watch history to a fresh informer ("replay": bounded by the
// server's fan-out, the transport, decoding and the informer).
//
//   node --import tsx bench/informer.ts            (re-executes itself with --expose-gc)
//   K8TS_BENCH_WRITES=2000 K8TS_BENCH_RUNS=3 K8TS_BENCH_PODS=100000
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../src/api/object.js';
import { ensurePki } from '../src/auth/pki/pki.js';
import { startApiServer } from '../src/apiserver/server.js';
import { openStore } from '../src/storage/open.js';
import { SharedIndexInformer } from '../src/client/cache/shared-informer.js';
import { loadConfig } from '../src/client/kubeconfig/load.js';
import { Client } from '../src/client/rest/client.js';
import { resources } from '../src/client/rest/builtin-resources.js';
import { listerWatcher } from '../src/client/rest/lister-watcher.js';
import type { ListerWatcher, ObjectList, WatchEvent, WatchStream } from '../src/client/types.js';
import { monoMs } from './lib/clock.js';
import type { Credentials } from './lib/kubeconfig.js';
import { makeClient } from './lib/http-client.js';
import { benchPod } from './lib/pod.js';
import { writeReport, type Metric } from './lib/report.js';
import { startServer } from './lib/server-process.js';
import { round } from './lib/stats.js';

const self = fileURLToPath(import.meta.url);
const env = (name: string, dflt: number) => Number(process.env[name] ?? dflt);
const podCount = env('K8TS_BENCH_PODS', 100_000);
const writes = env('K8TS_BENCH_WRITES', 2000);
const runs = env('K8TS_BENCH_RUNS', 3);
const writerConcurrency = 16;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

type CM = ConfigMap & KubeObject;
type P = Pod & KubeObject;

// ---- writer process ------------------------------------------------------------------------

interface WriterTask {
  creds: Credentials;
  namespace: string;
  runId: string;
  count: number;
}

interface WriterResult {
  ok: number;
  errors: number;
  firstError?: string;
  ms: number;
}

/** Creates count/2 ConfigMaps, then updates each once, `writerConcurrency` requests in flight. */
async function writer(t: WriterTask): Promise<WriterResult> {
  const client = await makeClient('h2', t.creds, 4);
  const half = Math.floor(t.count / 2);
  const path = `/api/v1/namespaces/${t.namespace}/configmaps`;
  const body = (i: number, v: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${t.runId}-${i}`, labels: { run: t.runId } }, data: { v, payload: 'x'.repeat(200) } });
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = monoMs();
  const phase = async (method: 'POST' | 'PUT', v: string) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: writerConcurrency }, async () => {
        while (next < half) {
          const i = next++;
          const r = await client.request(method, method === 'POST' ? path : `${path}/${t.runId}-${i}`, body(i, v));
          if (r.status < 300) ok++;
          else {
            errors++;
            firstError ??= `${method} ${r.status}: ${r.body.toString('utf8').slice(0, 200)}`;
          }
        }
      }),
    );
  };
  await phase('POST', '1');
  await phase('PUT', '2');
  const ms = monoMs() - t0;
  client.close();
  return { ok, errors, firstError, ms };
}

function runWriter(t: WriterTask): Promise<WriterResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, 'writer'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, K8TS_BENCH_WRITER: JSON.stringify(t) } });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`writer exited with ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(line) as WriterResult);
    });
  });
}

// ---- memory: 100,000 pods ------------------------------------------------------------------

/** A pod as the server returns it: defaults, server-set metadata, one managedFields entry, status. */
function serverPod(i: number): P {
  const p = benchPod(`pod-${i}`, i) as P;
  const ts = '2026-01-01T00:00:00Z';
  p.metadata = {
    ...p.metadata,
    namespace: `ns-${i % 50}`,
    uid: `7c9e6679-7425-40de-944b-${String(i).padStart(12, '0')}`,
    resourceVersion: String(1000 + i),
    creationTimestamp: ts,
    generateName: 'web-7d4b9c8f6d-',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c8f6d', uid: '1f0c8d2e-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    managedFields: [
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: 'v1',
        time: ts,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:tier': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
      },
    ],
  };
  const spec = p.spec!;
  Object.assign(spec, { restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', schedulerName: 'default-scheduler', nodeName: `node-${i % 100}`, priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority' });
  Object.assign(spec.containers[0], { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' });
  (p as { status: Pod['status'] }).status = {
    phase: 'Running',
    hostIP: `10.0.${i % 100}.1`,
    podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
    startTime: ts,
    qosClass: 'Burstable',
    conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastTransitionTime: ts })),
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, started: true, image: 'registry.k8s.io/nginx-slim:0.27', imageID: 'registry.k8s.io/nginx-slim@sha256:abc', containerID: `containerd://${i.toString(16).padStart(64, '0')}`, state: { running: { startedAt: ts } } }],
  };
  return p;
}

/** Serves `count` pods in pages, each page decoded from JSON text as a real client would. */
class SyntheticPods implements ListerWatcher<P> {
  constructor(private readonly count: number) {}

  async list(opts: { limit?: number; continue?: string }): Promise<ObjectList<P>> {
    const start = Number(opts.continue ?? 0);
    const end = Math.min(this.count, start + (opts.limit || this.count));
    const items: P[] = [];
    for (let i = start; i < end; i++) items.push(serverPod(i));
    const text = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '999999', ...(end < this.count ? { continue: String(end) } : {}) }, items });
    return JSON.parse(text) as ObjectList<P>;
  }

  async watch(): Promise<WatchStream<P>> {
    return idleStream<P>();
  }
}

function idleStream<T extends KubeObject>(): WatchStream<T> {
  let wake: (() => void) | undefined;
  let stopped = false;
  return {
    stop: () => {
      stopped = true;
      wake?.();
    },
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (!stopped) await new Promise<void>((r) => (wake = r));
        return { done: true, value: undefined };
      },
    }),
  };
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc!;
  g();
  g();
};

async function memory(transform: boolean): Promise<{ bytesPerPod: number; totalMiB: number; syncMs: number; jsonBytesPerPod: number }> {
  gc();
  const before = process.memoryUsage().heapUsed;
  const informer = new SharedIndexInformer<P>(new SyntheticPods(podCount), {
    name: 'pods',
    logger: silent,
    freeze: false,
    transform: transform
      ? (o) => {
          if (o.metadata) delete o.metadata.managedFields;
          return o;
        }
      : undefined,
  });
  informer.addEventHandler({ onAdd: () => {} });
  const t0 = monoMs();
  void informer.run();
  await informer.waitForCacheSync();
  await informer.whenHandlersIdle();
  const syncMs = monoMs() - t0;
  gc();
  const after = process.memoryUsage().heapUsed;
  if (informer.getIndexer().size !== podCount) throw new Error(`cached ${informer.getIndexer().size} pods, expected ${podCount}`);
  await informer.stop();
  const jsonBytesPerPod = Buffer.byteLength(JSON.stringify(serverPod(1)));
  return { bytesPerPod: (after - before) / podCount, totalMiB: (after - before) / 2 ** 20, syncMs, jsonBytesPerPod };
}

/** List (JSON decode of pre-serialised pages) + sync time for `count` pods, per run. */
async function syncTimes(count: number, n: number): Promise<number[]> {
  const pages: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const items: P[] = [];
    for (let i = start; i < Math.min(count, start + 500); i++) items.push(serverPod(i));
    pages.push(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '999999', ...(start + 500 < count ? { continue: String(start + 500) } : {}) }, items }));
  }
  const lw: ListerWatcher<P> = { list: async (o) => JSON.parse(pages[Number(o.continue ?? 0) / 500]) as ObjectList<P>, watch: async () => idleStream<P>() };
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    const informer = new SharedIndexInformer<P>(lw, { logger: silent, freeze: false });
    informer.addEventHandler({ onAdd: () => {} });
    const t0 = monoMs();
    void informer.run();
    await informer.waitForCacheSync();
    await informer.whenHandlersIdle();
    out.push(round(monoMs() - t0));
    await informer.stop();
    gc();
  }
  return out;
}

// ---- events per second ---------------------------------------------------------------------

/** Events through an informer fed by an in-memory stream: the cache machinery alone. */
async function machineryEventsPerSec(n: number): Promise<number> {
  let push: ((e: WatchEvent<CM>) => void) | undefined;
  // A head index, not Array#shift: shift is O(n) on a 200,000-element array.
  const queue: WatchEvent<CM>[] = [];
  let head = 0;
  let wake: (() => void) | undefined;
  const lw: ListerWatcher<CM> = {
    list: async () => ({ metadata: { resourceVersion: '1' }, items: [] }),
    watch: async () => {
      let stopped = false;
      push = (e) => {
        queue.push(e);
        wake?.();
      };
      return {
        stop: () => {
          stopped = true;
          wake?.();
        },
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            while (head === queue.length && !stopped) await new Promise<void>((r) => (wake = r));
            return stopped ? { done: true, value: undefined } : { done: false, value: queue[head++] };
          },
        }),
      };
    },
  };
  const informer = new SharedIndexInformer<CM>(lw, { logger: silent, freeze: false });
  let count = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  informer.addEventHandler({ onAdd: () => void (++count === n && done()), onUpdate: () => void (++count === n && done()) });
  void informer.run();
  await informer.waitForCacheSync();
  while (!push) await new Promise((r) => setImmediate(r));
  const t0 = monoMs();
  for (let i = 0; i < n; i++) {
    const name = `cm-${i % 5000}`;
    push({ type: i < 5000 ? 'ADDED' : 'MODIFIED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: String(i + 2) }, data: { v: String(i) } } });
  }
  await finished;
  const rate = n / ((monoMs() - t0) / 1000);
  await informer.stop();
  return rate;
}

interface FlowResult {
  live: number;
  writerRate: number;
  lagMs: number;
  replay: number;
  errors: number;
}

/** Counts this run's events through an informer; resolves when `n` have arrived. */
function countingInformer(lw: ListerWatcher<CM>, n: number) {
  const informer = new SharedIndexInformer<CM>(lw, { logger: silent, freeze: false, minWatchTimeoutSeconds: 3600 });
  let count = 0;
  let first = 0;
  let last = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const seen = () => {
    const now = monoMs();
    if (count === 0) first = now;
    last = now;
    if (++count === n) done();
  };
  informer.addEventHandler({ onAdd: (_o, initial) => void (!initial && seen()), onUpdate: seen });
  return { informer, finished, times: () => ({ first, last, count }) };
}

/** A writer floods the server while an informer watches; then a fresh informer replays it all. */
async function flow(makeLw: (runId: string) => ListerWatcher<CM>, creds: Credentials, resourceVersionNow: () => Promise<string>, runId: string): Promise<FlowResult> {
  const live = countingInformer(makeLw(runId), writes);
  void live.informer.run();
  await live.informer.waitForCacheSync();
  const rvBefore = await resourceVersionNow();
  // Let the watch open before the writes start.
  await new Promise((r) => setTimeout(r, 200));
  const w = await runWriter({ creds, namespace: 'default', runId, count: writes });
  const writerEnd = monoMs();
  await Promise.race([live.finished, new Promise((r) => setTimeout(r, 30_000))]);
  const lt = live.times();
  await live.informer.stop();
  if (lt.count < w.ok) throw new Error(`live informer saw ${lt.count} of ${w.ok} writes`);

  // Replay: list nothing at the RV before the writes, so the watch starts there and the server
  // sends every write from its history as fast as it can.
  const real = makeLw(runId);
  const replayLw: ListerWatcher<CM> = { list: async () => ({ metadata: { resourceVersion: rvBefore }, items: [] }), watch: (o) => real.watch(o) };
  const replay = countingInformer(replayLw, w.ok);
  const t0 = monoMs();
  void replay.informer.run();
  await Promise.race([replay.finished, new Promise((r) => setTimeout(r, 60_000))]);
  const rt = replay.times();
  await replay.informer.stop();
  if (rt.count < w.ok) throw new Error(`replay informer saw ${rt.count} of ${w.ok} writes`);
  return {
    live: lt.count / ((lt.last - lt.first) / 1000),
    writerRate: w.ok / (w.ms / 1000),
    lagMs: Math.max(0, lt.last - writerEnd),
    replay: rt.count / ((rt.last - t0) / 1000),
    errors: w.errors,
  };
}

async function currentRV(client: Client): Promise<string> {
  const list = await client.resource(resources.configMaps, 'default').list({ limit: 1 });
  return list.metadata.resourceVersion ?? '0';
}

async function overHttps(): Promise<FlowResult[]> {
  const server = await startServer();
  const client = Client.fromConfig(loadConfig({ kubeconfig: server.kubeconfig }));
  const out: FlowResult[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      out.push(await flow((id) => listerWatcher(client.resource(resources.configMaps as never) as never, { namespace: 'default', labelSelector: `run=${id}` }) as ListerWatcher<CM>, server.creds, () => currentRV(client), `h${r}`));
    }
  } finally {
    await client.transport.close();
    await server.stop();
  }
  return out;
}

async function inProcess(): Promise<FlowResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-informer-'));
  const pki = await ensurePki(dataDir, { hosts: [], ips: ['127.0.0.1'] });
  const store = await openStore('sqlite', dataDir);
  const server = await startApiServer({ store, bindAddress: '127.0.0.1', port: 0, tls: { certPem: pki.servingCertPem, keyPem: pki.servingKeyPem, clientCaPem: pki.caCertPem }, serviceAccountKeyPem: pki.serviceAccountKeyPem });
  const client = Client.inProcess(server.api.handle as never, { username: 'system:admin', groups: ['system:masters'] });
  const creds: Credentials = { url: server.url, ca: pki.caCertPem, cert: pki.adminCertPem, key: pki.adminKeyPem };
  const out: FlowResult[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      out.push(await flow((id) => listerWatcher(client.resource(resources.configMaps as never) as never, { namespace: 'default', labelSelector: `run=${id}` }) as ListerWatcher<CM>, creds, () => currentRV(client), `i${r}`));
    }
  } finally {
    await client.transport.close();
    await server.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

// ---- main ----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const metrics: Metric[] = [];
  const mem = await memory(false);
  const memT = await memory(true);
  metrics.push({ name: `heap per cached pod (${podCount} pods)`, unit: 'bytes', runs: [round(mem.bytesPerPod)], note: `pod JSON is ${mem.jsonBytesPerPod} bytes` });
  metrics.push({ name: `heap for ${podCount} pods`, unit: 'MiB', runs: [round(mem.totalMiB)] });
  metrics.push({ name: `heap per cached pod, transform drops managedFields`, unit: 'bytes', runs: [round(memT.bytesPerPod)] });
  metrics.push({ name: `list (JSON decode of 500-pod pages) + sync ${podCount} pods`, unit: 'ms', runs: await syncTimes(podCount, runs) });

  const machinery: number[] = [];
  for (let r = 0; r < runs; r++) machinery.push(round(await machineryEventsPerSec(200_000)));
  metrics.push({ name: 'events/s, informer alone (in-memory stream)', unit: 'events/s', runs: machinery });

  const https = await overHttps();
  metrics.push({ name: `events/s live over HTTPS (h2), writer at full speed`, unit: 'events/s', runs: https.map((r) => round(r.live)) });
  metrics.push({ name: '  writer rate (creates+updates), HTTPS server', unit: 'writes/s', runs: https.map((r) => round(r.writerRate)) });
  metrics.push({ name: '  informer lag after the last write, HTTPS', unit: 'ms', runs: https.map((r) => round(r.lagMs)) });
  metrics.push({ name: `events/s replayed from watch history over HTTPS (${writes} events)`, unit: 'events/s', runs: https.map((r) => round(r.replay)) });

  const inproc = await inProcess();
  metrics.push({ name: 'events/s live in-process, writer at full speed', unit: 'events/s', runs: inproc.map((r) => round(r.live)) });
  metrics.push({ name: '  writer rate (creates+updates), in-process server', unit: 'writes/s', runs: inproc.map((r) => round(r.writerRate)) });
  metrics.push({ name: '  informer lag after the last write, in-process', unit: 'ms', runs: inproc.map((r) => round(r.lagMs)) });
  metrics.push({ name: `events/s replayed from watch history in-process (${writes} events)`, unit: 'events/s', runs: inproc.map((r) => round(r.replay)) });

  writeReport('informer', 'Informer memory and event throughput', metrics, {
    pods: podCount,
    writesPerRun: writes,
    writerConcurrency,
    writerErrors: [...https, ...inproc].reduce((a, r) => a + r.errors, 0),
  });
}

if (process.argv[2] === 'writer') {
  const t = JSON.parse(process.env.K8TS_BENCH_WRITER ?? '{}') as WriterTask;
  writer(t).then(
    (r) => {
      process.stdout.write(JSON.stringify(r) + '\n');
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else if (!(globalThis as { gc?: unknown }).gc) {
  // Heap figures need a forced GC: run again with --expose-gc.
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('close', (code) => process.exit(code ?? 1));
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
