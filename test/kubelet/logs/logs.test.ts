import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { criTimestamp, MAX_LINE_BYTES, parseCriLine } from '../../../src/kubelet/logs/cri-format.js';
import { CriLogWriter, rotatedLogFiles } from '../../../src/kubelet/logs/writer.js';
import { followContainerLog, readContainerLog } from '../../../src/kubelet/logs/reader.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-logs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('records are written as "TIMESTAMP STREAM F|P content" with nanosecond RFC 3339 timestamps', (t) => {
  const file = path.join(tmp(t), 'c', '0.log');
  const w = new CriLogWriter(file);
  w.write('stdout', Buffer.from('hello\nwor'));
  w.write('stderr', Buffer.from('oops\n'));
  w.write('stdout', Buffer.from('ld\ntail-without-newline'));
  w.close();
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 4);
  for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) [FP] /);
  assert.deepEqual(
    lines.map((l) => l.split(' ').slice(1).join(' ')),
    ['stdout F hello', 'stderr F oops', 'stdout F world', 'stdout F tail-without-newline'],
  );
  assert.match(criTimestamp(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
});

test('a line longer than 16 KiB is split into P records that the reader joins back into one line', (t) => {
  const file = path.join(tmp(t), '0.log');
  const w = new CriLogWriter(file);
  const long = 'x'.repeat(MAX_LINE_BYTES * 2 + 10);
  w.write('stdout', Buffer.from(`${long}\nnext\n`));
  w.close();
  const tags = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[2]);
  assert.deepEqual(tags, ['P', 'P', 'F', 'F']);
  assert.equal(readContainerLog(file).toString(), `${long}\nnext\n`);
  assert.equal(parseCriLine(Buffer.from('garbage')), undefined);
});

test('the log rotates at the size limit, keeps at most maxFiles files, and reads in order across them', (t) => {
  const file = path.join(tmp(t), '0.log');
  const w = new CriLogWriter(file, { maxSizeBytes: 200, maxFiles: 3 });
  for (let i = 0; i < 40; i++) w.write('stdout', Buffer.from(`line ${i}\n`));
  w.close();
  const rotated = rotatedLogFiles(file);
  assert.equal(rotated.length, 2);
  for (const f of [...rotated, file]) assert.ok(fs.statSync(f).size <= 200, f);
  const text = readContainerLog(file).toString().trim().split('\n');
  assert.equal(text.at(-1), 'line 39');
  const nums = text.map((l) => Number(l.split(' ')[1]));
  assert.deepEqual(nums, [...nums].sort((a, b) => a - b), 'in order');
  assert.ok(nums.length < 40, 'old lines were dropped');
});

test('the reader applies tail, stream, timestamps, since and limitBytes', (t) => {
  const file = path.join(tmp(t), '0.log');
  let now = Date.parse('2024-01-01T00:00:00Z');
  const w = new CriLogWriter(file, {}, () => now);
  w.write('stdout', Buffer.from('a\n'));
  now += 5000;
  w.write('stderr', Buffer.from('b\n'));
  w.write('stdout', Buffer.from('c\n'));
  w.close();
  assert.equal(readContainerLog(file, { tailLines: 2 }).toString(), 'b\nc\n');
  assert.equal(readContainerLog(file, { stream: 'stdout' }).toString(), 'a\nc\n');
  assert.equal(readContainerLog(file, { sinceMs: now - 1000 }).toString(), 'b\nc\n');
  assert.equal(readContainerLog(file, { limitBytes: 3 }).toString(), 'a\nb');
  assert.match(readContainerLog(file, { timestamps: true, tailLines: 1 }).toString(), /^2024-01-01T00:00:05\.\d{9}Z c\n$/);
  assert.equal(readContainerLog(path.join(path.dirname(file), 'missing.log')).length, 0);
});

test('follow sends what is there, then appended records, across a rotation', async (t) => {
  const file = path.join(tmp(t), '0.log');
  const w = new CriLogWriter(file, { maxSizeBytes: 120, maxFiles: 5 });
  w.write('stdout', Buffer.from('first\n'));
  let got = '';
  let wake: () => void = () => {};
  const f = followContainerLog(file, {}, (c) => {
    got += c.toString();
    wake();
  }, 10);
  t.after(() => f.stop());
  const waitFor = async (s: string) => {
    const deadline = Date.now() + 5000;
    while (!got.includes(s)) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${s}; got ${JSON.stringify(got)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 50);
      });
    }
  };
  await waitFor('first\n');
  for (let i = 0; i < 6; i++) w.write('stdout', Buffer.from(`more ${i}\n`));
  await waitFor('more 5\n');
  assert.ok(rotatedLogFiles(file).length >= 1, 'rotated');
  assert.equal(got, `first\n${[0, 1, 2, 3, 4, 5].map((i) => `more ${i}\n`).join('')}`);
  f.stop();
  await f.done;
  w.close();
});
