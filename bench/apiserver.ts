// The API server benchmark suite (issue 2, "Numbers"): runs every benchmark in turn, each
// against a fresh `k8ts server` process, and prints a summary against the targets.
// Usage: node --import tsx bench/apiserver.ts [create|latency|list|watch|rss ...]
// Environment: BENCH_QUICK=1 shortens every benchmark (for a smoke run, not for numbers).
import { runCreateBench } from './apiserver-create.js';
import { runLatencyBench } from './apiserver-latency.js';
import { runListBench } from './apiserver-list.js';
import { runRssBench } from './apiserver-rss.js';
import { runWatchBench } from './apiserver-watch.js';
import { formatTable, machineInfo, type ReportedMetric } from './lib/report.js';

const quick = process.env.BENCH_QUICK === '1';

const benches: Record<string, () => Promise<ReportedMetric[]>> = {
  create: () => runCreateBench({ runs: 3, seconds: quick ? 1 : 5, clients: 16, workers: 2 }),
  latency: () => runLatencyBench({ runs: 3, seconds: quick ? 2 : 10, ratePerSec: 100 }),
  list: () => runListBench({ runs: quick ? 3 : 5, pods: quick ? 1000 : 10_000 }),
  watch: () => runWatchBench({ rounds: quick ? 3 : 7, watchers: quick ? 100 : 1000, workers: 2, sessionsPerWorker: 2 }),
  rss: () => runRssBench({ pods: quick ? 5000 : 100_000, runs: 1, maxSeconds: quick ? 20 : 150 }),
};

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(benches);
for (const name of chosen) if (!benches[name]) throw new Error(`unknown benchmark ${name}; choose from ${Object.keys(benches).join(', ')}`);

const started = performance.now();
const summary: ReportedMetric[] = [];
console.log(`machine: ${JSON.stringify(machineInfo())}`);
for (const name of chosen) {
  console.log(`\n# ${name}`);
  summary.push(...(await benches[name]()).filter((m) => m.target));
}
console.log(`\n== Targets (issue 2), ${Math.round((performance.now() - started) / 1000)} s in all, load average now ${machineInfo().loadAvg1m}`);
console.log(
  formatTable([
    ['metric', 'median', 'unit', 'target', 'met'],
    ...summary.map((m) => [m.name, String(m.median), m.unit, m.target ? `${m.target.op} ${m.target.value}` : '-', m.met ? 'yes' : 'NO']),
  ]),
);
