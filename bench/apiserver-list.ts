// Benchmark 3: LIST of 10,000 pods in one namespace, full list as JSON (the target), and for
// information as a Table (what kubectl get asks for) and paginated with limit=500 (kubectl's
// default chunk size). Time is from sending the request to the last byte of the response.
// Usage: node --import tsx bench/apiserver-list.ts [runs=5] [pods=10000]
import { h2Client, type HttpClient } from './lib/http-client.js';
import { monoMs } from './lib/clock.js';
import { bulkCreatePods, createNamespace, isMain } from './lib/populate.js';
import { writeReport, type Metric, type ReportedMetric } from './lib/report.js';
import { startServer, type ServerProcess } from './lib/server-process.js';
import { round } from './lib/stats.js';

export interface ListBenchOptions {
  runs: number;
  pods: number;
  nodeArgs?: string[];
}

const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

interface ListRun {
  ms: number;
  bytes: number;
  items: number;
  serverCpuMs: number;
}

/** Lists every page of `path` (following continue tokens), bounded to 1,000 pages. */
async function timedList(server: ServerProcess, client: HttpClient, path: string, accept: string, limit?: number): Promise<ListRun> {
  const cpu0 = server.cpuMs();
  let ms = 0;
  let bytes = 0;
  let items = 0;
  let cont: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const q = new URLSearchParams();
    if (limit) q.set('limit', String(limit));
    if (cont) q.set('continue', cont);
    const qs = q.toString();
    const t0 = monoMs();
    const r = await client.request('GET', qs ? `${path}?${qs}` : path, undefined, { accept });
    ms += monoMs() - t0;
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
    bytes += r.body.length;
    // Parsing is outside the timed part (the client's cost, not the server's); it checks the
    // list was complete and yields the continue token.
    const doc = JSON.parse(r.body.toString('utf8')) as { items?: unknown[]; rows?: unknown[]; metadata?: { continue?: string } };
    items += (doc.items ?? doc.rows ?? []).length;
    cont = doc.metadata?.continue || undefined;
    if (!limit || !cont) break;
  }
  return { ms, bytes, items, serverCpuMs: server.cpuMs() - cpu0 };
}

export async function runListBench(o: ListBenchOptions): Promise<ReportedMetric[]> {
  const server = await startServer({ nodeArgs: o.nodeArgs });
  const results: Record<string, ListRun[]> = { json: [], table: [], paged: [] };
  let createdPerSec = 0;
  try {
    const admin = await h2Client(server.creds, 1);
    try {
      await createNamespace(admin, 'list');
      const created = await bulkCreatePods(server, { proto: 'h2', namespace: 'list', prefix: 'p', count: o.pods, workers: 2, clients: 16, maxMs: 120_000 });
      if (created.ok !== o.pods) throw new Error(`created only ${created.ok} of ${o.pods} pods: ${created.firstError}`);
      createdPerSec = created.perSec;
      const path = '/api/v1/namespaces/list/pods';
      // One untimed list of each kind first: the first call pays for V8 compiling the path.
      await timedList(server, admin, path, 'application/json');
      await timedList(server, admin, path, tableAccept);
      for (let r = 0; r < o.runs; r++) {
        for (const [kind, accept, limit] of [
          ['json', 'application/json', undefined],
          ['table', tableAccept, undefined],
          ['paged', tableAccept, 500],
        ] as const) {
          const run = await timedList(server, admin, path, accept, limit);
          if (run.items !== o.pods) throw new Error(`${kind} list returned ${run.items} items, expected ${o.pods}`);
          results[kind].push(run);
        }
        console.log(`  run ${r + 1}: json ${round(results.json[r].ms)} ms, table ${round(results.table[r].ms)} ms, table paged ${round(results.paged[r].ms)} ms`);
      }
    } finally {
      admin.close();
    }
  } finally {
    await server.stop();
  }
  const mb = (r: ListRun) => r.bytes / 2 ** 20;
  const metrics: Metric[] = [
    { name: `LIST ${o.pods} pods, JSON`, unit: 'ms', runs: results.json.map((r) => r.ms), target: { op: '<=', value: 300 } },
    { name: '  server CPU per JSON list', unit: 'ms', runs: results.json.map((r) => r.serverCpuMs) },
    { name: '  JSON response size', unit: 'MiB', runs: results.json.map(mb) },
    { name: `LIST ${o.pods} pods, Table`, unit: 'ms', runs: results.table.map((r) => r.ms) },
    { name: '  server CPU per Table list', unit: 'ms', runs: results.table.map((r) => r.serverCpuMs) },
    { name: '  Table response size', unit: 'MiB', runs: results.table.map(mb) },
    { name: `LIST ${o.pods} pods, Table, limit=500 pages`, unit: 'ms', runs: results.paged.map((r) => r.ms) },
  ];
  return writeReport('apiserver-list', `LIST of ${o.pods} pods in one namespace (HTTP/2, to the last byte)`, metrics, { pods: o.pods, createdPerSec: Math.round(createdPerSec) });
}

if (isMain(import.meta.url)) {
  await runListBench({ runs: Number(process.argv[2] ?? 5), pods: Number(process.argv[3] ?? 10_000) });
}
