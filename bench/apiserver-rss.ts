// Benchmark 5: server memory with 100,000 stored pods. Creates them over HTTP/2 from load
// workers, lets the server settle, then reads VmRSS/VmHWM from /proc/<pid>/status and the size
// of the sqlite files. One run by default: the figure is a state, not a timing, and creating
// 100k pods takes most of a minute.
// Usage: node --import tsx bench/apiserver-rss.ts [pods=100000] [runs=1] [maxSeconds=150]
import { sleep } from './lib/clock.js';
import { h2Client } from './lib/http-client.js';
import { bulkCreatePods, createNamespace, isMain } from './lib/populate.js';
import { writeReport, type Metric, type ReportedMetric } from './lib/report.js';
import { startServer } from './lib/server-process.js';
import { round } from './lib/stats.js';

export interface RssBenchOptions {
  pods: number;
  runs: number;
  /** Bound on the populate phase; if it ends first, RSS is measured at the count reached. */
  maxSeconds: number;
  nodeArgs?: string[];
}

interface RssRun {
  created: number;
  baselineMiB: number;
  rssMiB: number;
  peakMiB: number;
  dbMiB: number;
  walMiB: number;
  createdPerSec: number;
  populateSeconds: number;
}

const MiB = 2 ** 20;

async function oneRun(o: RssBenchOptions): Promise<RssRun> {
  const server = await startServer({ nodeArgs: o.nodeArgs });
  try {
    const admin = await h2Client(server.creds, 1);
    try {
      await createNamespace(admin, 'rss');
      await sleep(1000);
      const baseline = server.memoryKb().rssKb;
      const res = await bulkCreatePods(server, { proto: 'h2', namespace: 'rss', prefix: 'p', count: o.pods, workers: 2, clients: 16, maxMs: o.maxSeconds * 1000 });
      if (res.errors) throw new Error(`${res.errors} creates failed, first: ${res.firstError}`);
      if (res.ok < o.pods) console.log(`  time bound of ${o.maxSeconds} s reached after ${res.ok} of ${o.pods} pods: measuring at ${res.ok}, extrapolating`);
      // Let the connections close and the heap settle before reading memory.
      await sleep(3000);
      const mem = server.memoryKb();
      const db = server.dbBytes();
      const run: RssRun = {
        created: res.ok,
        baselineMiB: baseline / 1024,
        rssMiB: mem.rssKb / 1024,
        peakMiB: mem.hwmKb / 1024,
        dbMiB: db.db / MiB,
        walMiB: db.wal / MiB,
        createdPerSec: res.perSec,
        populateSeconds: res.elapsedMs / 1000,
      };
      console.log(`  ${res.ok} pods in ${round(run.populateSeconds)} s (${Math.round(run.createdPerSec)}/s): RSS ${round(run.rssMiB)} MiB (peak ${round(run.peakMiB)}, at start ${round(run.baselineMiB)}), db ${round(run.dbMiB)} MiB + wal ${round(run.walMiB)} MiB`);
      return run;
    } finally {
      admin.close();
    }
  } finally {
    await server.stop();
  }
}

export async function runRssBench(o: RssBenchOptions): Promise<ReportedMetric[]> {
  const runs: RssRun[] = [];
  for (let r = 0; r < o.runs; r++) runs.push(await oneRun(o));
  const pick = (f: (r: RssRun) => number) => runs.map(f);
  const perPodKiB = (r: RssRun) => ((r.rssMiB - r.baselineMiB) * 1024) / r.created;
  const complete = runs.every((r) => r.created === o.pods);
  const metrics: Metric[] = [
    complete
      ? { name: `server RSS with ${o.pods} pods`, unit: 'MiB', runs: pick((r) => r.rssMiB), note: 'the issue asks for the figure; it sets no target' }
      : {
          name: `server RSS with ${o.pods} pods (extrapolated)`,
          unit: 'MiB',
          runs: pick((r) => r.baselineMiB + (perPodKiB(r) * o.pods) / 1024),
          note: `populating hit the ${o.maxSeconds} s bound; linear from the count reached`,
        },
    { name: '  pods stored when measured', unit: 'count', runs: pick((r) => r.created) },
    { name: '  RSS when measured', unit: 'MiB', runs: pick((r) => r.rssMiB) },
    { name: '  RSS per stored pod', unit: 'KiB', runs: pick(perPodKiB) },
    { name: '  peak RSS (VmHWM)', unit: 'MiB', runs: pick((r) => r.peakMiB) },
    { name: '  RSS at start', unit: 'MiB', runs: pick((r) => r.baselineMiB) },
    { name: '  database file', unit: 'MiB', runs: pick((r) => r.dbMiB) },
    { name: '  WAL + shm files', unit: 'MiB', runs: pick((r) => r.walMiB) },
    { name: '  creates/s while populating', unit: 'pods/s', runs: pick((r) => r.createdPerSec) },
  ];
  return writeReport('apiserver-rss', `Server memory and database size with ${o.pods} stored pods`, metrics, { pods: o.pods, runs: o.runs });
}

if (isMain(import.meta.url)) {
  await runRssBench({ pods: Number(process.argv[2] ?? 100_000), runs: Number(process.argv[3] ?? 1), maxSeconds: Number(process.argv[4] ?? 150) });
}
