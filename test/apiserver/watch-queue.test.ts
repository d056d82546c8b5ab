// The watch's outgoing queue on a real Writable: one write per batch, the client's pace, the
// too-slow limit on live events only, and what is queued going out on close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { WatchQueue } from '../../src/apiserver/handlers/watch-queue.js';

/** A stream that records each write; `stalled` writes are not acknowledged until release(). */
function recorder(opts: { stalled?: boolean } = {}) {
  const writes: string[] = [];
  const held: (() => void)[] = [];
  const out = new Writable({
    highWaterMark: 1,
    decodeStrings: false,
    write(chunk: string, _enc, done) {
      writes.push(chunk);
      if (opts.stalled) held.push(done);
      else done();
    },
  });
  const release = () => {
    opts.stalled = false;
    for (const done of held.splice(0)) done();
  };
  return { out, writes, release };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('the lines queued in one synchronous run go out as one write, in order', async () => {
  const { out, writes } = recorder();
  const q = new WatchQueue(out, 100, () => assert.fail('not too slow'));
  q.markLive();
  for (let i = 0; i < 5; i++) q.push(`line-${i}`);
  assert.deepEqual(writes, [], 'nothing is written during the run');
  await tick();
  assert.deepEqual(writes, ['line-0\nline-1\nline-2\nline-3\nline-4\n']);
  q.push(() => 'rendered when written');
  await tick();
  assert.deepEqual(writes.slice(1), ['rendered when written\n']);
});

test('a full stream holds the lines until it drains, then they all go out in order', async () => {
  const { out, writes, release } = recorder({ stalled: true });
  const q = new WatchQueue(out, 100, () => assert.fail('not too slow'));
  q.markLive();
  q.push('a');
  await tick();
  q.push('b');
  q.push('c');
  await tick();
  assert.deepEqual(writes, ['a\n'], 'b and c wait for the drain');
  release();
  await tick();
  assert.deepEqual(writes, ['a\n', 'b\nc\n']);
});

test('the initial events do not count toward the too-slow limit; live events beyond it do', async () => {
  const { out } = recorder({ stalled: true });
  let tooSlow = 0;
  const q = new WatchQueue(out, 10, () => tooSlow++);
  q.push('first');
  await tick();
  // The stream is full from here on: everything below stays queued.
  for (let i = 0; i < 50; i++) q.push(`initial-${i}`);
  q.markLive();
  assert.equal(tooSlow, 0, 'fifty initial events queued on a limit of ten');
  for (let i = 0; i < 10; i++) q.push(`live-${i}`);
  assert.equal(tooSlow, 0, 'ten live events behind is still within the limit');
  q.push('live-10');
  assert.equal(tooSlow, 1, 'the eleventh live event behind is one too many');
});

test('close writes what is queued at once and accepts nothing after', async () => {
  const { out, writes } = recorder();
  const q = new WatchQueue(out, 100, () => assert.fail('not too slow'));
  q.push('x');
  q.push('ERROR');
  q.close();
  assert.deepEqual(writes, ['x\nERROR\n'], 'written before close returns');
  q.push('late');
  await tick();
  assert.deepEqual(writes, ['x\nERROR\n']);
});

test('a long run of lines is cut into writes of about 64 Ki characters', async () => {
  const { out, writes } = recorder();
  const q = new WatchQueue(out, 1000, () => assert.fail('not too slow'));
  const line = 'y'.repeat(1023);
  for (let i = 0; i < 200; i++) q.push(line);
  await tick();
  assert.equal(writes.join(''), `${line}\n`.repeat(200));
  assert.equal(writes.length, 4, '200 KiB in writes of 64 KiB');
});
