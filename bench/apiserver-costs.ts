// Server CPU per request for the writes of a pod's life on the hot path: its create, the
// scheduler's pods/binding and the kubelet's merge patches of pods/status (the first, and one
// more once the kubelet has its own managedFields entry), over HTTPS with
// HTTP/1.1 keep-alive and HTTP/2 (16 closed-loop clients, one connection each). CPU time is read
// from /proc for the server process alone, so the figures are comparable A/B on a shared machine
// where requests per second are not.
// Usage: node --import tsx bench/apiserver-costs.ts [count=2000] [rounds=3] [h1,h2] [cpu-profile-dir]
// (with a profile dir the server process writes a --cpu-prof profile there when it stops)
import { makeClient, type HttpClient, type Protocol } from './lib/http-client.js';
import { benchPod, namespaceObject } from './lib/pod.js';
import { isMain } from './lib/main.js';
import { writeReport, type Metric, type ReportedMetric } from './lib/report.js';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { median, round } from './lib/stats.js';

const clients = 16;

async function closedLoop(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: clients }, loop));
}

async function expect(client: HttpClient, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  const r = await client.request(method, path, JSON.stringify(body), headers);
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
}

/** What a kubelet's status manager sends once the pod runs (a merge patch of pods/status). */
function runningStatus(uid: string, i: number): unknown {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
  return {
    metadata: { uid },
    status: {
      phase: 'Running',
      conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady')],
      hostIP: '10.0.0.1',
      podIP: `10.244.${(i >> 8) & 255}.${i & 255}`,
      startTime: now,
      containerStatuses: [{ name: 'app', ready: true, started: true, restartCount: 0, image: 'registry.k8s.io/nginx-slim:0.27', imageID: '', containerID: `k8ts://${i}`, state: { running: { startedAt: now } } }],
    },
  };
}

/** The kubelet's next status write for the same pod (its container restarted): its own entry exists now. */
function restartedStatus(uid: string, i: number): unknown {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const cond = (type: string, status: string) => ({ type, status, lastProbeTime: null, lastTransitionTime: now });
  return {
    metadata: { uid },
    status: {
      conditions: [cond('PodReadyToStartContainers', 'True'), cond('Initialized', 'True'), cond('Ready', 'False'), cond('ContainersReady', 'False')],
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          started: false,
          restartCount: 1,
          image: 'registry.k8s.io/nginx-slim:0.27',
          imageID: '',
          containerID: `k8ts://${i}`,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now } },
        },
      ],
    },
  };
}

interface Phase {
  create: number;
  bind: number;
  status: number;
  status2: number;
}

async function round_(server: ServerProcess, client: HttpClient, ns: string, prefix: string, n: number): Promise<Phase> {
  const base = `/api/v1/namespaces/${ns}/pods`;
  const uids: string[] = new Array(n);
  const measure = async (fn: (i: number) => Promise<void>) => {
    const c0 = server.cpuMs();
    await closedLoop(n, fn);
    return (server.cpuMs() - c0) / n;
  };
  const create = await measure(async (i) => {
    const r = await client.request('POST', base, JSON.stringify(benchPod(`${prefix}-${i}`, i)));
    if (r.status !== 201) throw new Error(`create: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
    uids[i] = (JSON.parse(r.body.toString('utf8')) as { metadata: { uid: string } }).metadata.uid;
  });
  const bind = await measure((i) =>
    expect(client, 'POST', `${base}/${prefix}-${i}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: `${prefix}-${i}` }, target: { kind: 'Node', name: `node-${i % 100}` } }),
  );
  const status = await measure((i) => expect(client, 'PATCH', `${base}/${prefix}-${i}/status`, runningStatus(uids[i], i), { 'content-type': 'application/merge-patch+json' }));
  const status2 = await measure((i) => expect(client, 'PATCH', `${base}/${prefix}-${i}/status`, restartedStatus(uids[i], i), { 'content-type': 'application/merge-patch+json' }));
  return { create, bind, status, status2 };
}

export async function runCostsBench(count: number, rounds: number, protos: Protocol[], profileDir?: string): Promise<ReportedMetric[]> {
  const metrics: Metric[] = [];
  for (const proto of protos) {
    const label = proto === 'h1' ? 'HTTP/1.1' : 'HTTP/2';
    const server = await startServer({ nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] });
    const client = await makeClient(proto, server.creds, clients);
    try {
      await expect(client, 'POST', '/api/v1/namespaces', namespaceObject('costs'));
      // Warm-up (JIT) before anything is measured.
      await round_(server, client, 'costs', 'warm', Math.min(count, 1500));
      const runs: Phase[] = [];
      for (let r = 0; r < rounds; r++) {
        const p = await round_(server, client, 'costs', `r${r}`, count);
        console.log(`  ${label} round ${r + 1}: create ${round(p.create)} ms, bind ${round(p.bind)} ms, status patch ${round(p.status)} ms, second status patch ${round(p.status2)} ms server CPU per request`);
        runs.push(p);
      }
      metrics.push(
        { name: `server CPU per pod create, ${label}`, unit: 'ms', runs: runs.map((p) => p.create) },
        { name: `server CPU per pods/binding, ${label}`, unit: 'ms', runs: runs.map((p) => p.bind) },
        { name: `server CPU per pods/status merge patch, ${label}`, unit: 'ms', runs: runs.map((p) => p.status) },
        { name: `server CPU per second pods/status merge patch (kubelet entry exists), ${label}`, unit: 'ms', runs: runs.map((p) => p.status2) },
      );
      const med = (k: keyof Phase) => round(median(runs.map((p) => p[k])));
      console.log(`${label}: create ${med('create')}, bind ${med('bind')}, status ${med('status')}, second status ${med('status2')} ms (medians)`);
    } finally {
      client.close();
      await server.stop();
    }
  }
  return writeReport('apiserver-costs', `Server CPU per request: pod create, bind, status patch (${clients} clients)`, metrics, { count, rounds });
}

if (isMain(import.meta.url)) {
  const protos = (process.argv[4] ?? 'h1,h2').split(',') as Protocol[];
  await runCostsBench(Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 3), protos, process.argv[5]);
}
