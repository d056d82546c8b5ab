// Benchmark 1: pod creates per second over HTTPS with 16 concurrent clients, for HTTP/1.1
// keep-alive and HTTP/2. Each protocol gets a fresh server; each run creates pods into its own
// namespace for a bounded time and count; the figure is the median over runs.
// Usage: node --import tsx bench/apiserver-create.ts [runs=3] [seconds=5]
import { h2Client } from './lib/http-client.js';
import { bulkCreatePods, createNamespace, isMain, type BulkCreateResult } from './lib/populate.js';
import { writeReport, type Metric, type ReportedMetric } from './lib/report.js';
import { startServer } from './lib/server-process.js';
import { startNoopServer } from './lib/noop-server.js';
import { round } from './lib/stats.js';

export interface CreateBenchOptions {
  runs: number;
  seconds: number;
  clients: number;
  workers: number;
  nodeArgs?: string[];
}

const target = { op: '>=' as const, value: 3000 };

async function benchProtocol(proto: 'h1' | 'h2', o: CreateBenchOptions): Promise<{ runs: BulkCreateResult[]; ceiling: BulkCreateResult }> {
  const server = await startServer({ nodeArgs: o.nodeArgs });
  try {
    const admin = await h2Client(server.creds, 1);
    const runs: BulkCreateResult[] = [];
    let ceiling: BulkCreateResult;
    try {
      // Warm-up (not reported): lets V8 optimise the request path before the clock runs.
      await createNamespace(admin, 'warmup');
      await bulkCreatePods(server, { proto, namespace: 'warmup', prefix: 'p', count: 2000, workers: o.workers, clients: o.clients, maxMs: 2000 });
      for (let r = 0; r < o.runs; r++) {
        const namespace = `create-${r}`;
        await createNamespace(admin, namespace);
        const res = await bulkCreatePods(server, {
          proto,
          namespace,
          prefix: 'p',
          // Enough for well above the target; the time bound normally ends the run.
          count: Math.round(o.seconds * 8000),
          workers: o.workers,
          clients: o.clients,
          maxMs: o.seconds * 1000,
        });
        if (res.errors) throw new Error(`${proto} run ${r}: ${res.errors} failed creates, first: ${res.firstError}`);
        console.log(
          `  ${proto} run ${r + 1}: ${Math.round(res.perSec)} pods/s (${res.ok} in ${Math.round(res.elapsedMs)} ms), p50 ${round(res.latency.p50)} ms, p99 ${round(res.latency.p99)} ms, server ${round(res.serverCores)} cores (${round(res.serverCpuPerOpMs)} ms CPU/create), clients ${round(res.clientCores)} cores`,
        );
        runs.push(res);
      }
      // The same load against a server that does nothing: what the load generator can do here.
      const noop = await startNoopServer(server.dataDir);
      try {
        ceiling = await bulkCreatePods(
          { creds: { ...server.creds, url: noop.url }, cpuMs: noop.cpuMs },
          { proto, namespace: 'noop', prefix: 'p', count: Math.round(o.seconds * 8000), workers: o.workers, clients: o.clients, maxMs: o.seconds * 1000 },
        );
        console.log(`  ${proto} load generator ceiling (no-op server): ${Math.round(ceiling.perSec)} req/s, clients ${round(ceiling.clientCores)} cores, no-op server ${round(ceiling.serverCpuPerOpMs)} ms CPU/request`);
      } finally {
        noop.stop();
      }
    } finally {
      admin.close();
    }
    return { runs, ceiling };
  } finally {
    await server.stop();
  }
}

export async function runCreateBench(o: CreateBenchOptions): Promise<ReportedMetric[]> {
  const metrics: Metric[] = [];
  const details: Record<string, unknown> = { clients: o.clients, workers: o.workers, secondsPerRun: o.seconds };
  for (const proto of ['h1', 'h2'] as const) {
    const label = proto === 'h1' ? 'HTTP/1.1 keep-alive' : 'HTTP/2';
    const { runs, ceiling } = await benchProtocol(proto, o);
    metrics.push(
      { name: `creates/s, ${label}, ${o.clients} clients`, unit: 'pods/s', runs: runs.map((r) => r.perSec), target },
      { name: `  create latency p50, ${label}`, unit: 'ms', runs: runs.map((r) => r.latency.p50) },
      { name: `  create latency p99, ${label}`, unit: 'ms', runs: runs.map((r) => r.latency.p99) },
      { name: `  server CPU, ${label}`, unit: 'cores', runs: runs.map((r) => r.serverCores), note: '1.0 = one core saturated; the server is one Node.js thread' },
      { name: `  server CPU per create, ${label}`, unit: 'ms', runs: runs.map((r) => r.serverCpuPerOpMs), note: 'CPU time, not wall time: 3,000 creates/s on one core needs <= 0.33 ms' },
      {
        name: `  capacity on one free core, ${label}`,
        unit: 'pods/s',
        runs: runs.map((r) => 1000 / r.serverCpuPerOpMs),
        note: '1000 / CPU ms per create: what the single-threaded server could do with a core to itself; unaffected by other load on the machine',
      },
      { name: `  load clients CPU, ${label}`, unit: 'cores', runs: runs.map((r) => r.clientCores), note: `${o.workers} worker processes together` },
      {
        name: `  load generator ceiling, ${label}`,
        unit: 'req/s',
        runs: [ceiling.perSec],
        note: 'the same clients against a no-op HTTPS server in its own process: creates/s cannot exceed this on this machine',
      },
      {
        name: `  transport floor: no-op server CPU per request, ${label}`,
        unit: 'ms',
        runs: [ceiling.serverCpuPerOpMs],
        note: 'what TLS and HTTP framing alone cost a Node.js server per request; the API server cannot go below it',
      },
    );
    details[proto] = runs.map((r) => ({ ok: r.ok, elapsedMs: Math.round(r.elapsedMs), latency: r.latency }));
  }
  return writeReport('apiserver-create', `Pod creates per second over HTTPS, ${o.clients} concurrent clients`, metrics, details);
}

if (isMain(import.meta.url)) {
  await runCreateBench({ runs: Number(process.argv[2] ?? 3), seconds: Number(process.argv[3] ?? 5), clients: 16, workers: 2 });
}
