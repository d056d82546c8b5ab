// Benchmark 4: watch fan-out. 1,000 watchers on one namespace's pods, as HTTP/2 streams over a
// few connections (client-go multiplexes its watches), in load worker processes. The
// orchestrator creates one pod per round; the latency is from the create's response to each
// watcher's receipt of the ADDED event (both on the machine-wide monotonic clock), p99 per round.
// Usage: node --import tsx bench/apiserver-watch.ts [rounds=7] [watchers=1000]
import { monoMs, sleep } from './lib/clock.js';
import { h2Client, requestJSON } from './lib/http-client.js';
import { benchPod } from './lib/pod.js';
import { createNamespace, isMain } from './lib/populate.js';
import { writeReport, type Metric, type ReportedMetric } from './lib/report.js';
import { startServer } from './lib/server-process.js';
import { round, summarize, type LatencySummary } from './lib/stats.js';
import type { WatchResult } from './lib/tasks.js';
import { forkWorker, type Worker } from './lib/workers.js';

export interface WatchBenchOptions {
  rounds: number;
  watchers: number;
  /** Load worker processes holding the watchers. */
  workers: number;
  /** HTTP/2 connections per worker. */
  sessionsPerWorker: number;
  nodeArgs?: string[];
}

interface RoundResult {
  /** Monotonic ms when the create was sent and when its response arrived. */
  sent: number;
  answered: number;
  /** The create's own latency while 1,000 watchers wait for it. */
  writeMs: number;
  fromResponse: LatencySummary;
  fromRequest: LatencySummary;
  received: number;
  serverCpuMs: number;
}

export async function runWatchBench(o: WatchBenchOptions): Promise<ReportedMetric[]> {
  const server = await startServer({ nodeArgs: o.nodeArgs });
  const workers: Worker[] = [];
  const rounds: RoundResult[] = [];
  let failedWatchers = 0;
  let watchSetupMs = 0;
  try {
    const admin = await h2Client(server.creds, 1);
    try {
      const namespace = 'watch';
      await createNamespace(admin, namespace);
      const list = await requestJSON<{ metadata: { resourceVersion: string } }>(admin, 'GET', `/api/v1/namespaces/${namespace}/pods`);
      for (let w = 0; w < o.workers; w++) workers.push(forkWorker());
      await Promise.all(workers.map((w) => w.next((m) => m.type === 'hello', 30_000)));
      const per = Math.ceil(o.watchers / o.workers);
      const t0 = monoMs();
      workers.forEach((w, i) =>
        w.send({
          type: 'task',
          task: {
            kind: 'watch',
            creds: server.creds,
            sessions: o.sessionsPerWorker,
            watchers: Math.min(per, o.watchers - i * per),
            namespace,
            resourceVersion: list.metadata.resourceVersion,
            maxMs: 120_000,
          },
        }),
      );
      await Promise.all(workers.map((w) => w.next((m) => m.type === 'ready', 60_000)));
      watchSetupMs = monoMs() - t0;
      // Round 0 warms the path up and is not reported.
      for (let r = 0; r <= o.rounds; r++) {
        await sleep(300);
        const cpu0 = server.cpuMs();
        const sent = monoMs();
        await requestJSON(admin, 'POST', `/api/v1/namespaces/${namespace}/pods`, benchPod(`w-${r}`, r));
        const answered = monoMs();
        await Promise.all(workers.map((w) => w.next((m) => m.type === 'round' && m.round === r, 10_000)));
        const serverCpuMs = server.cpuMs() - cpu0;
        if (r === 0) continue;
        rounds.push({ sent, answered, writeMs: answered - sent, fromResponse: summarize([]), fromRequest: summarize([]), received: 0, serverCpuMs });
      }
      for (const w of workers) w.send({ type: 'finish' });
      const results = (await Promise.all(workers.map((w) => w.next((m) => m.type === 'result', 30_000)))).map((m) => (m as { result: WatchResult }).result);
      failedWatchers = results.reduce((a, r) => a + r.failedWatchers, 0);
      rounds.forEach((rr, i) => {
        const { sent, answered } = rr;
        const arrivals = results.flatMap((res) => res.arrivals[String(i + 1)] ?? []);
        rr.received = arrivals.length;
        rr.fromResponse = summarize(arrivals.map((t) => t - answered));
        rr.fromRequest = summarize(arrivals.map((t) => t - sent));
        console.log(`  round ${i + 1}: ${arrivals.length} watchers, from response p50 ${round(rr.fromResponse.p50)} ms, p99 ${round(rr.fromResponse.p99)} ms, max ${round(rr.fromResponse.max)} ms; create took ${round(answered - sent)} ms`);
      });
    } finally {
      admin.close();
    }
  } finally {
    for (const w of workers) w.kill();
    await server.stop();
  }
  const metrics: Metric[] = [
    { name: `watch fan-out p99, ${o.watchers} watchers`, unit: 'ms', runs: rounds.map((r) => r.fromResponse.p99), target: { op: '<=', value: 100 } },
    { name: '  p50 from the write response', unit: 'ms', runs: rounds.map((r) => r.fromResponse.p50) },
    { name: '  max from the write response', unit: 'ms', runs: rounds.map((r) => r.fromResponse.max) },
    { name: '  p99 from sending the write', unit: 'ms', runs: rounds.map((r) => r.fromRequest.p99), note: 'negative times above mean events reached watchers before the write was answered' },
    { name: '  the write\'s own latency', unit: 'ms', runs: rounds.map((r) => r.writeMs), note: 'a create with no watchers takes a few ms: the fan-out runs before the response' },
    { name: '  watchers that received the event', unit: 'count', runs: rounds.map((r) => r.received) },
    { name: '  server CPU per fanned-out write', unit: 'ms', runs: rounds.map((r) => r.serverCpuMs) },
  ];
  return writeReport('apiserver-watch', `Watch fan-out: ${o.watchers} watchers over ${o.workers * o.sessionsPerWorker} HTTP/2 connections, one write per round`, metrics, {
    watchers: o.watchers,
    connections: o.workers * o.sessionsPerWorker,
    workers: o.workers,
    failedWatchers,
    watchSetupMs: Math.round(watchSetupMs),
  });
}

if (isMain(import.meta.url)) {
  await runWatchBench({ rounds: Number(process.argv[2] ?? 7), watchers: Number(process.argv[3] ?? 1000), workers: 2, sessionsPerWorker: 2 });
}
