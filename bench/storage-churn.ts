// Steady-state churn on the sqlite store: KEYS keys with ~1 KiB values updated UPDATES times
// while the compactor runs on a short interval, as a busy server would. Answers: does the file
// stay bounded (DB + WAL vs live data), what write rate do we sustain, and how long is the
// longest pause a writer sees while compaction, vacuum and WAL checkpoints run.
//
// The machine is shared, so some pauses are the kernel running other processes. Each gap
// between two write completions is split using the thread's run-queue delay
// (/proc/thread-self/schedstat, second field: time spent runnable but not running): "own" is
// the gap minus that wait, i.e. our synchronous work, our I/O and our write holds. The store's
// own step timings (stats().timings) give the longest commit, compaction batch, vacuum step,
// WAL truncation, write hold and off-thread checkpoint, so the figure can be attributed.
// Usage: node --import tsx bench/storage-churn.ts [updates=1e6]   (or CHURN_UPDATES=…)
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, openSync, readSync, readFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { startCompactor } from '../src/storage/compactor.js';

const UPDATES = Number(process.argv[2] ?? process.env.CHURN_UPDATES ?? 1e6);
const KEYS = Number(process.env.CHURN_KEYS ?? 1000);
const VALUE_BYTES = 1024;
const COMPACT = { intervalMs: 200, retainMs: 0, minRetainRevisions: 1000 };

const dir = mkdtempSync(join(tmpdir(), 'k8ts-churn-'));
const env = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
const storeOpts = { walLimitPages: env('WAL_PAGES'), pageSize: env('PAGE_SIZE'), idleCheckpointMs: 500 };
const store = openSqliteStore({ path: join(dir, 'state.db'), ...storeOpts });
const loadBefore = loadavg();
const psi = (what: string): string => {
  try {
    return readFileSync(`/proc/pressure/${what}`, 'utf8').split('\n')[0];
  } catch {
    return 'n/a';
  }
};
const pressureBefore = { cpu: psi('cpu'), io: psi('io') };

// Time this thread has spent runnable but waiting for a CPU, in ms (0 where unavailable).
const schedFd = (() => {
  try {
    return openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
})();
const schedBuf = Buffer.alloc(128);
const runDelayMs = (): number => {
  if (schedFd === undefined) return 0;
  const n = readSync(schedFd, schedBuf, 0, schedBuf.length, 0);
  return Number(schedBuf.toString('latin1', 0, n).split(' ')[1]) / 1e6;
};
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function value(i: number, n: number): string {
  // Distinct, incompressible-looking content of fixed size.
  const head = `{"key":${i},"gen":${n},"data":"`;
  let body = '';
  let x = (i * 2654435761 + n * 40503) >>> 0;
  while (body.length < VALUE_BYTES - head.length - 2) {
    x = (x * 1103515245 + 12345) >>> 0;
    body += x.toString(36);
  }
  return head + body.slice(0, VALUE_BYTES - head.length - 2) + '"}';
}

const keyOf = (i: number): string => `/registry/configmaps/bench/cm-${String(i).padStart(5, '0')}`;
const liveBytes = (n: number): number => n * (keyOf(0).length + VALUE_BYTES);

const revs: number[] = [];
for (let i = 0; i < KEYS; i++) revs.push((await store.create(keyOf(i), value(i, 0))).modRevision);

const compactor = startCompactor(store, COMPACT);
// Garbage collection pauses the event loop too (the bench's own values are garbage as well):
// counted so that an own gap can be told from a GC pause.
const gcPauses: number[] = [];
const gcSpans: [number, number][] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcPauses.push(e.duration);
    gcSpans.push([e.startTime, e.startTime + e.duration]);
  }
});
gcObserver.observe({ entryTypes: ['gc'] });
// Gap n: from the completion of write n-1 to the completion of write n (the bench's own file
// size sampling excluded); own: the same minus the time the thread waited for a CPU.
const gaps = new Float64Array(UPDATES);
const ownGaps = new Float64Array(UPDATES);
// Own gaps also without the time the store's checkpointer thread waited for a CPU while writes
// were held for it (a restart window's checkpoint on a busy machine). The store counts that wait
// in total (stats().walHoldWaitMs); it is read after gaps over 1 ms only (stats() is not free),
// and a hold's wait can only be longer than 1 ms in a gap longer than that.
const ownGapsNoHoldWait = new Float64Array(UPDATES);
// When each gap ended, to take GC pauses out of it afterwards.
const gapEnds = new Float64Array(UPDATES);
let lastHoldWait = 0;
let maxWrite = 0;
let peakFile = 0;
const fileSamples: number[] = [];
let last = performance.now();
let lastDelay = runDelayMs();
const started = last;
let seed = 12345;
for (let n = 1; n <= UPDATES; n++) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  const i = seed % KEYS;
  const t0 = performance.now();
  revs[i] = (await store.update(keyOf(i), value(i, n), revs[i])).modRevision;
  const t1 = performance.now();
  const delay = runDelayMs();
  maxWrite = Math.max(maxWrite, t1 - t0);
  gaps[n - 1] = t1 - last;
  ownGaps[n - 1] = Math.max(0, t1 - last - (delay - lastDelay));
  ownGapsNoHoldWait[n - 1] = ownGaps[n - 1];
  gapEnds[n - 1] = t1;
  if (ownGaps[n - 1] > 1) {
    const hw = store.stats().walHoldWaitMs ?? 0; // ?? 0: the same bench runs against older stores for A/B
    ownGapsNoHoldWait[n - 1] = Math.max(0, ownGaps[n - 1] - (hw - lastHoldWait));
    lastHoldWait = hw;
  }
  last = t1;
  lastDelay = delay;
  if (ownGaps[n - 1] > 1) {
    // The stats() call above is the bench's, not the store's.
    last = performance.now();
    lastDelay = runDelayMs();
  }
  // Yield every write so timers (the compactor) and its batches interleave with writes, as they
  // would with requests arriving from the network.
  await tick();
  if (n % 5000 === 0) {
    const st = store.stats();
    const file = st.dbBytes + st.walBytes;
    peakFile = Math.max(peakFile, file);
    if (n > UPDATES / 2) fileSamples.push(file);
    if (n % 100_000 === 0) process.stderr.write(`  ${n} updates, file ${(file / 1e6).toFixed(2)} MB\n`);
    last = performance.now();
    lastDelay = runDelayMs();
  }
}
const elapsed = (performance.now() - started) / 1000;
compactor.stop();
gcObserver.disconnect();
const steady = store.stats();
const steadyFile = steady.dbBytes + steady.walBytes;
const meanSteady = fileSamples.reduce((a, b) => a + b, 0) / Math.max(1, fileSamples.length);
const loadDuring = loadavg();
const pressureAfter = { cpu: psi('cpu'), io: psi('io') };

// Settle: the compactor's next run (to current - minRetainRevisions), then no writes until the
// store's idle maintenance has truncated the WAL and returned surplus free pages.
const settleTo = (await store.currentRevision()) - COMPACT.minRetainRevisions;
const truncationsBefore = store.stats().walTruncations;
await store.compact(settleTo);
// The store truncates on its own once idle; compacting again (a no-op) also gets there, for
// stores that only maintain space at the end of a compaction.
while (store.stats().walTruncations === truncationsBefore) {
  await new Promise((resolve) => setTimeout(resolve, 700));
  if (store.stats().walTruncations === truncationsBefore) await store.compact(settleTo);
}
const settled = store.stats();
const settledFile = settled.dbBytes + settled.walBytes;

// Shrink phase: delete 90% of the keys, compact everything, measure the vacuum's stall and the
// space returned (writes continue meanwhile, so the stall is what a client would see).
for (let i = 0; i < KEYS; i++) if (i % 10 !== 0) await store.delete(keyOf(i));
const beforeShrink = store.stats();
let shrinkMaxGap = 0;
let writing = true;
const writer = (async () => {
  let prev = performance.now();
  for (let n = 0; writing; n++) {
    const i = (n % (KEYS / 10)) * 10;
    revs[i] = (await store.update(keyOf(i), value(i, n), revs[i])).modRevision;
    const now = performance.now();
    shrinkMaxGap = Math.max(shrinkMaxGap, now - prev);
    await tick();
    prev = performance.now();
  }
})();
await store.compact(await store.currentRevision());
writing = false;
await writer;
const afterShrink = store.stats();
await store.close();
rmSync(dir, { recursive: true, force: true });

// Own gaps without checkpointer CPU wait and without the GC pauses inside them: what the
// store's own steps, I/O and write holds cost.
gcSpans.sort((a, b) => a[0] - b[0]);
const ownGapsNoGc = Float64Array.from(ownGapsNoHoldWait);
for (let i = 0, g = 0; i < UPDATES; i++) {
  if (ownGapsNoGc[i] <= 1) continue;
  const end = gapEnds[i];
  const start = end - gaps[i];
  while (g < gcSpans.length && gcSpans[g][1] < start) g++;
  let gc = 0;
  for (let k = g; k < gcSpans.length && gcSpans[k][0] < end; k++) gc += Math.min(end, gcSpans[k][1]) - Math.max(start, gcSpans[k][0]);
  ownGapsNoGc[i] = Math.max(0, ownGapsNoGc[i] - gc);
}
gaps.sort();
ownGaps.sort();
ownGapsNoHoldWait.sort();
ownGapsNoGc.sort();
const pct = (xs: Float64Array, p: number): number => +xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2);
const dist = (xs: Float64Array) => ({
  maxMs: +xs[xs.length - 1].toFixed(2),
  p9999Ms: pct(xs, 0.9999),
  p999Ms: pct(xs, 0.999),
  p99Ms: pct(xs, 0.99),
  p50Ms: pct(xs, 0.5),
  over5ms: xs.filter((g) => g > 5).length,
  over20ms: xs.filter((g) => g > 20).length,
});
const gapDist = dist(gaps);
const ownDist = dist(ownGaps);
const ownNoHoldWaitDist = dist(ownGapsNoHoldWait);
const ownNoGcDist = dist(ownGapsNoGc);
const steps = Object.fromEntries(
  Object.entries(steady.timings).map(([k, t]) => [
    k,
    {
      count: t.count,
      maxMs: t.maxMs,
      meanMs: +(t.totalMs / Math.max(1, t.count)).toFixed(3),
      over5ms: t.slow,
      // Without the time the step's thread waited for a CPU (measured for checkpoints, holds and restarting commits).
      ownMaxMs: t.ownMaxMs,
      ownOver5ms: t.ownSlow,
      cpuWaitMs: t.waitMs,
      // Checkpoints only: mean time blocked (fsync and other I/O) and on a CPU.
      ...(t.cpuMs > 0 ? { meanBlockedMs: +((t.totalMs - t.waitMs - t.cpuMs) / t.count).toFixed(3), meanCpuMs: +(t.cpuMs / t.count).toFixed(3) } : {}),
    },
  ]),
);
const mb = (b: number): string => (b / 1e6).toFixed(2);
const result = {
  updates: UPDATES,
  keys: KEYS,
  valueBytes: VALUE_BYTES,
  compactor: COMPACT,
  writesPerSec: Math.round(UPDATES / elapsed),
  liveDataBytes: liveBytes(KEYS),
  peakFileBytes: peakFile,
  meanFileBytesSecondHalf: Math.round(meanSteady),
  finalDbBytes: steady.dbBytes,
  finalWalBytes: steady.walBytes,
  finalFreeBytes: steady.freeBytes,
  settledFileBytes: settledFile,
  settledDbBytes: settled.dbBytes,
  settledWalBytes: settled.walBytes,
  settledFreeBytes: settled.freeBytes,
  settledRatio: +(settledFile / liveBytes(KEYS)).toFixed(2),
  commits: steady.commits,
  storeOptions: storeOpts,
  loadAverageBefore: loadBefore.map((l) => +l.toFixed(2)),
  loadAverageAfterChurn: loadDuring.map((l) => +l.toFixed(2)),
  pressureBefore,
  pressureAfterChurn: pressureAfter,
  peakRatio: +(peakFile / liveBytes(KEYS)).toFixed(2),
  meanRatio: +(meanSteady / liveBytes(KEYS)).toFixed(2),
  compactions: steady.compactions,
  compactedRows: steady.compactedRows,
  longestWriterStallMs: gapDist.maxMs,
  longestSingleWriteMs: +maxWrite.toFixed(2),
  // Gaps between consecutive write completions, over all writes: as seen by the writer, and
  // without the time the thread waited for a CPU (what the store itself caused).
  gaps: gapDist,
  ownGaps: ownDist,
  ownGapsWithoutCheckpointerCpuWait: ownNoHoldWaitDist,
  ownGapsWithoutCpuWaitOrGc: ownNoGcDist,
  runQueueDelayMeasured: schedFd !== undefined,
  // The store's steps: on the event loop (commit, compactBatch, vacuumStep, walTruncate), write
  // holds of restart windows (writeHold), and checkpoints on the checkpointer thread.
  steps,
  walWindows: steady.walWindows,
  gcPauses: { count: gcPauses.length, maxMs: +gcPauses.reduce((a, b) => Math.max(a, b), 0).toFixed(2), over5ms: gcPauses.filter((d) => d > 5).length },
  walHoldCpuWaitMs: steady.walHoldWaitMs,
  shrink: {
    fileBeforeBytes: beforeShrink.dbBytes + beforeShrink.walBytes,
    fileAfterBytes: afterShrink.dbBytes + afterShrink.walBytes,
    vacuumedPages: afterShrink.vacuumedPages - beforeShrink.vacuumedPages,
    longestWriterStallMs: +shrinkMaxGap.toFixed(2),
  },
};

const rows: [string, string][] = [
  ['updates', `${UPDATES} on ${KEYS} keys × ${VALUE_BYTES} B`],
  ['compactor', `every ${COMPACT.intervalMs} ms, retain ${COMPACT.retainMs} ms / ${COMPACT.minRetainRevisions} revisions`],
  ['writes/s', String(result.writesPerSec)],
  ['live data', `${mb(result.liveDataBytes)} MB`],
  ['DB+WAL peak', `${mb(peakFile)} MB (${result.peakRatio}× live)`],
  ['DB+WAL mean, 2nd half', `${mb(meanSteady)} MB (${result.meanRatio}× live)`],
  ['final DB / WAL / free', `${mb(steady.dbBytes)} / ${mb(steady.walBytes)} / ${mb(steady.freeBytes)} MB`],
  ['settled DB / WAL / free', `${mb(settled.dbBytes)} / ${mb(settled.walBytes)} / ${mb(settled.freeBytes)} MB (${result.settledRatio}× live)`],
  ['load average before/after', `${result.loadAverageBefore.join(' ')} / ${result.loadAverageAfterChurn.join(' ')}`],
  ['compactions / rows', `${steady.compactions} / ${steady.compactedRows}`],
  ['pressure cpu / io after', `${pressureAfter.cpu} / ${pressureAfter.io}`],
  ['gap max/p99.99/p99.9/p99', `${gapDist.maxMs} / ${gapDist.p9999Ms} / ${gapDist.p999Ms} / ${gapDist.p99Ms} ms (>5 ms: ${gapDist.over5ms}, >20 ms: ${gapDist.over20ms})`],
  ['own gap (no CPU wait)', `${ownDist.maxMs} / ${ownDist.p9999Ms} / ${ownDist.p999Ms} / ${ownDist.p99Ms} ms (>5 ms: ${ownDist.over5ms}, >20 ms: ${ownDist.over20ms})`],
  [
    '  and no checkpointer CPU wait',
    `${ownNoHoldWaitDist.maxMs} / ${ownNoHoldWaitDist.p9999Ms} / ${ownNoHoldWaitDist.p999Ms} / ${ownNoHoldWaitDist.p99Ms} ms (>5 ms: ${ownNoHoldWaitDist.over5ms}, >20 ms: ${ownNoHoldWaitDist.over20ms})`,
  ],
  [
    '  and no GC pause',
    `${ownNoGcDist.maxMs} / ${ownNoGcDist.p9999Ms} / ${ownNoGcDist.p999Ms} / ${ownNoGcDist.p99Ms} ms (>5 ms: ${ownNoGcDist.over5ms}, >20 ms: ${ownNoGcDist.over20ms})`,
  ],
  ...Object.entries(steps).map(([k, t]): [string, string] => [
    `  step ${k}`,
    `max ${t.maxMs} ms (own ${t.ownMaxMs}), mean ${t.meanMs} ms` +
      (t.meanBlockedMs !== undefined ? ` (blocked ${t.meanBlockedMs}, cpu ${t.meanCpuMs})` : '') +
      `, ${t.count} runs, ${t.over5ms} over 5 ms (own ${t.ownOver5ms})`,
  ]),
  ['GC pauses', `${result.gcPauses.count}, max ${result.gcPauses.maxMs} ms, ${result.gcPauses.over5ms} over 5 ms`],
  ['restart windows', `${steady.walWindows.opened} opened, ${steady.walWindows.caughtUp} caught up, ${steady.walWindows.timedOut} timed out, ${steady.walWindows.hard} at hard limit`],
  ['shrink: 90% deleted', `${mb(result.shrink.fileBeforeBytes)} → ${mb(result.shrink.fileAfterBytes)} MB, stall ${result.shrink.longestWriterStallMs} ms`],
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log(rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
const out = process.env.CHURN_OUT ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'storage-churn.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
