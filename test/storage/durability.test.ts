// A write acknowledged to a client must survive kill -9 of the process: a child writes in a loop
// and reports each acknowledged revision; the test kills it at a random point, reopens the file
// and checks every acknowledged write is there. Several rounds reuse the same file, so each
// round also recovers a file left by a killed process (possibly mid-compaction).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const child = fileURLToPath(new URL('./durability-child.ts', import.meta.url));

interface Acks {
  live: Map<string, { rev: number; value: string }>;
  deleted: Map<string, number>;
  counter?: { rev: number; value: string };
  maxRev: number;
}

/** Runs the child until it has acknowledged `stopAfter` lines, then SIGKILLs it. */
function runAndKill(path: string, round: number, stopAfter: number, walPages?: number): Promise<Acks> {
  const acks: Acks = { live: new Map(), deleted: new Map(), maxRev: 0 };
  const args = ['--import', 'tsx', child, path, String(round), ...(walPages ? [String(walPages)] : [])];
  const proc = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let lines = 0;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const [kind, key, rev, value] = line.split(' ');
    const r = Number(rev);
    acks.maxRev = Math.max(acks.maxRev, r);
    if (kind === 'del') {
      acks.live.delete(key);
      acks.deleted.set(key, r);
    } else if (key === '/d/counter') acks.counter = { rev: r, value };
    else acks.live.set(key, { rev: r, value });
    if (++lines === stopAfter) proc.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`child exited early: code ${code} signal ${signal}`));
    });
  });
}

test('every write acknowledged before kill -9 is in the database after reopening, over several rounds', () => killRounds());

test('the same with a WAL that restarts every few writes (kills land in restart windows and their checkpoints)', () => killRounds(16));

async function killRounds(walPages?: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-durability-'));
  const path = join(dir, 'state.db');
  try {
    let lastRev = 0;
    for (let round = 1; round <= 3; round++) {
      const stopAfter = 300 + Math.floor(Math.random() * 1500);
      const acks = await runAndKill(path, round, stopAfter, walPages);
      const store = openSqliteStore({ path });
      try {
        const rev = await store.currentRevision();
        assert.ok(rev >= acks.maxRev, `round ${round}: revision ${rev} < acknowledged ${acks.maxRev}`);
        assert.ok(acks.maxRev > lastRev, `round ${round} continued from revision ${lastRev}`);
        const missing: string[] = [];
        for (const [key, want] of acks.live) {
          const got = await store.get(key);
          if (got) assert.deepEqual([got.modRevision, got.value], [want.rev, want.value], key);
          else missing.push(key);
        }
        // The child deletes at most one key between two acknowledgements, so at most one
        // acknowledged key may be gone: deleted by the write in flight when it was killed.
        assert.ok(missing.length <= 1 && rev > acks.maxRev || missing.length === 0, `lost ${missing.join(', ')}`);
        for (const [key, delRev] of acks.deleted) {
          assert.equal(await store.get(key), undefined, `${key} deleted at ${delRev} is back`);
        }
        const counter = await store.get('/d/counter');
        assert.ok(counter && acks.counter && counter.modRevision >= acks.counter.rev, 'counter regressed');
        // The file is self-consistent: listing at the compacted floor and now both work.
        const listed = await store.list(`/d/${round}/`);
        assert.ok(listed.items.length >= acks.live.size - 1);
        await store.list('/d/', { revision: await store.compactedRevision() || rev });
        lastRev = rev;
      } finally {
        await store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
