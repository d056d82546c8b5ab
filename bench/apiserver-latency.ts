// Benchmark 2: latency of mutating requests at a steady 100 requests/s (open loop: requests go
// out on schedule whether or not earlier ones answered, and latency counts from the scheduled
// time, so a stalled server cannot hide its queue). A third each of pod create, merge patch and
// delete, over one HTTP/2 connection as client-go uses.
// Usage: node --import tsx bench/apiserver-latency.ts [runs=3] [seconds=10]
import { h2Client } from './lib/http-client.js';
import { createNamespace, isMain } from './lib/populate.js';
import { writeReport, type Metric, type ReportedMetric } from './lib/report.js';
import { startServer } from './lib/server-process.js';
import { round, summarize } from './lib/stats.js';
import { runOnWorkers } from './lib/workers.js';
import type { OpenLoopResult } from './lib/tasks.js';

export interface LatencyBenchOptions {
  runs: number;
  seconds: number;
  ratePerSec: number;
  nodeArgs?: string[];
}

export async function runLatencyBench(o: LatencyBenchOptions): Promise<ReportedMetric[]> {
  const server = await startServer({ nodeArgs: o.nodeArgs });
  const runs: { all: ReturnType<typeof summarize>; fromSend: ReturnType<typeof summarize>; byVerb: Record<string, ReturnType<typeof summarize>>; maxLateMs: number; serverCores: number; errors: number }[] = [];
  try {
    const admin = await h2Client(server.creds, 1);
    try {
      // Warm-up (not reported): the same mix for a few seconds, so V8 has optimised the create,
      // patch and delete paths before the clock runs.
      await createNamespace(admin, 'warmup');
      await runOnWorkers<OpenLoopResult>(
        [{ kind: 'open', proto: 'h2', creds: server.creds, connections: 1, namespace: 'warmup', prefix: 'p', ratePerSec: o.ratePerSec, durationMs: 3000 }],
        60_000,
      );
      for (let r = 0; r < o.runs; r++) {
        const namespace = `latency-${r}`;
        await createNamespace(admin, namespace);
        let cpu0 = 0;
        const [res] = await runOnWorkers<OpenLoopResult>(
          [{ kind: 'open', proto: 'h2', creds: server.creds, connections: 1, namespace, prefix: 'p', ratePerSec: o.ratePerSec, durationMs: o.seconds * 1000 }],
          o.seconds * 1000 + 60_000,
          () => (cpu0 = server.cpuMs()),
        );
        const serverCores = (server.cpuMs() - cpu0) / (o.seconds * 1000);
        // Failures are reported, not fatal: a 404 can follow a create slower than the patch's lead.
        if (res.errors) console.log(`  run ${r + 1}: ${res.errors} failed requests, first: ${res.firstError}`);
        const byVerb: Record<string, ReturnType<typeof summarize>> = {};
        for (const verb of ['create', 'patch', 'delete']) byVerb[verb] = summarize(res.samples.filter((s) => s.verb === verb).map((s) => s.ms));
        const all = summarize(res.samples.map((s) => s.ms));
        const fromSend = summarize(res.samples.map((s) => s.ms - s.lateMs));
        const maxLateMs = Math.max(...res.samples.map((s) => s.lateMs));
        // The slowest requests and when they were due: periodic stalls show up as regular gaps.
        const slowest = [...res.samples].sort((a, b) => b.ms - a.ms).slice(0, 12).sort((a, b) => a.atMs - b.atMs);
        console.log(`  run ${r + 1}: slowest at ${slowest.map((s) => `${(s.atMs / 1000).toFixed(2)}s:${Math.round(s.ms)}ms`).join(' ')}`);
        console.log(`  run ${r + 1}: ${all.count} requests, p50 ${round(all.p50)} ms, p99 ${round(all.p99)} ms, max ${round(all.max)} ms (client send lag max ${round(maxLateMs)} ms)`);
        runs.push({ all, fromSend, byVerb, maxLateMs, serverCores, errors: res.errors });
      }
    } finally {
      admin.close();
    }
  } finally {
    await server.stop();
  }
  const metrics: Metric[] = [
    { name: `mutating latency p50 at ${o.ratePerSec}/s`, unit: 'ms', runs: runs.map((r) => r.all.p50) },
    { name: `mutating latency p99 at ${o.ratePerSec}/s`, unit: 'ms', runs: runs.map((r) => r.all.p99), target: { op: '<=', value: 20 } },
    { name: '  p99 from actual send', unit: 'ms', runs: runs.map((r) => r.fromSend.p99), note: 'excludes time the request waited in the load generator' },
    ...['create', 'patch', 'delete'].flatMap((verb): Metric[] => [
      { name: `  ${verb} p50`, unit: 'ms', runs: runs.map((r) => r.byVerb[verb].p50) },
      { name: `  ${verb} p99`, unit: 'ms', runs: runs.map((r) => r.byVerb[verb].p99) },
    ]),
    { name: '  max latency', unit: 'ms', runs: runs.map((r) => r.all.max) },
    { name: '  client send lag, max', unit: 'ms', runs: runs.map((r) => r.maxLateMs), note: 'how late the load generator sent a request; large values mean the client, not the server, was slow' },
    { name: '  server CPU', unit: 'cores', runs: runs.map((r) => r.serverCores) },
    { name: '  failed requests', unit: 'count', runs: runs.map((r) => r.errors) },
  ];
  return writeReport('apiserver-latency', `Mutating request latency at a steady ${o.ratePerSec} requests/s (open loop, HTTP/2)`, metrics, {
    secondsPerRun: o.seconds,
    mix: 'create pod / merge-patch pod labels / delete pod, in equal parts',
    runs: runs.map((r) => ({ all: r.all, byVerb: r.byVerb })),
  });
}

if (isMain(import.meta.url)) {
  await runLatencyBench({ runs: Number(process.argv[2] ?? 3), seconds: Number(process.argv[3] ?? 10), ratePerSec: 100 });
}
