// Child process for durability.test.ts: writes in a loop and prints one line per acknowledged
// write ("ack <key> <revision> <value>") only after the store's promise has resolved. Compaction
// runs alongside, so a kill can also land in the middle of a compaction batch or a vacuum.
// With a WAL limit (in pages), the WAL restarts every few writes, so a kill also lands in restart
// windows and in the checkpoints before them (the ones that make their own syncs).
// Usage: node --import tsx durability-child.ts <db path> <round> [wal limit pages]
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const [path, round, walPages] = process.argv.slice(2);
const walLimitPages = walPages ? Number(walPages) : undefined;
const store = openSqliteStore({ path, compactBatchRows: 50, walLimitPages, walHardLimitPages: walLimitPages && 4 * walLimitPages });
// The stdout pipe is non-blocking: wait for each line to reach the pipe before writing on.
const ack = (line: string): Promise<void> => new Promise((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

for (let i = 0; ; i++) {
  const key = `/d/${round}/${i}`;
  const value = `r${round}-${i}-${'x'.repeat(i % 300)}`;
  const kv = await store.create(key, value);
  await ack(`ack ${key} ${kv.modRevision} ${value}`);
  if (i % 3 === 0) {
    const cur = await store.get('/d/counter');
    const c = cur ? await store.update('/d/counter', String(i), cur.modRevision) : await store.create('/d/counter', String(i));
    await ack(`ack /d/counter ${c.modRevision} ${c.value}`);
  }
  if (i % 10 === 9) {
    const d = await store.delete(`/d/${round}/${i - 9}`);
    await ack(`del ${d.key} ${d.modRevision}`);
  }
  if (i % 200 === 199) void store.compact((await store.currentRevision()) - 50);
  await tick();
}
