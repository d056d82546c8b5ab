// Create throughput of the sqlite store: one writer awaiting each create, and 16 writers each
// awaiting its own (what an API server under concurrent requests does), with and without fsync
// per commit. Usage: node --import tsx bench/storage-write.ts [creates=50000] [repeats=1]
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';

const N = Number(process.argv[2] ?? process.env.WRITE_CREATES ?? 50_000);
const REPEATS = Number(process.argv[3] ?? process.env.WRITE_REPEATS ?? 1);
const env = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
const storeOpts = { pageSize: env('PAGE_SIZE'), walLimitPages: env('WAL_PAGES'), maxBatch: env('MAX_BATCH') };
const value = JSON.stringify({ kind: 'ConfigMap', data: { payload: 'x'.repeat(400) } });

interface Result {
  fsync: boolean;
  writers: number;
  creates: number;
  perSec: number;
  p50us: number;
  p99us: number;
}

async function run(fsync: boolean, writers: number, n: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-write-'));
  const store = openSqliteStore({ path: join(dir, 'state.db'), fsync, ...storeOpts });
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < n; i = next++) {
        const a = performance.now();
        await store.create(`/registry/configmaps/ns-${i % 50}/cm-${i}`, value);
        lat.push(performance.now() - a);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const q = (p: number): number => Math.round(lat[Math.floor(p * (lat.length - 1))] * 1000);
  return { fsync, writers, creates: n, perSec: Math.round(n / secs), p50us: q(0.5), p99us: q(0.99) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

// fsync runs are bounded by the disk's flush rate, so they get fewer writes.
const plans: [boolean, number, number][] = [
  [false, 1, N],
  [false, 16, N],
  [true, 1, Math.max(200, Math.floor(N / 25))],
  [true, 16, Math.max(200, Math.floor(N / 25))],
];
const results: (Result & { runs: number[] })[] = [];
for (const [fsync, writers, n] of plans) {
  const runs: Result[] = [];
  for (let r = 0; r < REPEATS; r++) runs.push(await run(fsync, writers, n));
  const mid = runs.find((x) => x.perSec === median(runs.map((y) => y.perSec))) as Result;
  results.push({ ...mid, runs: runs.map((x) => x.perSec) });
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; median of ${REPEATS}`);
console.log('fsync  writers  creates  creates/s  p50 µs  p99 µs  runs');
for (const r of results) {
  console.log(
    `${String(r.fsync).padEnd(5)}  ${String(r.writers).padStart(7)}  ${String(r.creates).padStart(7)}  ${String(r.perSec).padStart(9)}  ${String(r.p50us).padStart(6)}  ${String(r.p99us).padStart(6)}  ${r.runs.join(' ')}`,
  );
}
const out = process.env.WRITE_OUT ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'storage-write.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ repeats: REPEATS, storeOptions: storeOpts, loadAverage: loadavg(), results }, null, 2) + '\n');
