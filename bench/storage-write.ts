// Single-writer create throughput of the sqlite store, with and without fsync per commit.
// Usage: node --import tsx bench/storage-write.ts [creates=50000]
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';

const N = Number(process.argv[2] ?? process.env.WRITE_CREATES ?? 50_000);
const value = JSON.stringify({ kind: 'ConfigMap', data: { payload: 'x'.repeat(400) } });

async function run(fsync: boolean, n: number): Promise<{ fsync: boolean; creates: number; perSec: number; p50us: number; p99us: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-write-'));
  const store = openSqliteStore({ path: join(dir, 'state.db'), fsync });
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    await store.create(`/registry/configmaps/ns-${i % 50}/cm-${i}`, value);
    lat.push(performance.now() - a);
  }
  const secs = (performance.now() - t0) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const q = (p: number): number => Math.round(lat[Math.floor(p * (lat.length - 1))] * 1000);
  return { fsync, creates: n, perSec: Math.round(n / secs), p50us: q(0.5), p99us: q(0.99) };
}

// fsync runs are bounded by the disk's flush rate, so they get fewer writes.
const results = [await run(false, N), await run(true, Math.max(200, Math.floor(N / 25)))];
console.log('fsync  creates  creates/s  p50 µs  p99 µs');
for (const r of results) {
  console.log(`${String(r.fsync).padEnd(5)}  ${String(r.creates).padStart(7)}  ${String(r.perSec).padStart(9)}  ${String(r.p50us).padStart(6)}  ${String(r.p99us).padStart(6)}`);
}
const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'storage-write.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ results }, null, 2) + '\n');
