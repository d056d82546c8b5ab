// readAll: the whole body of a response, and the same failures async iteration reports when the
// body is cut (the Requester's GET retry reads the error code).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { readAll } from '../../../src/client/transport/read-body.js';

test('readAll joins every chunk, Buffers and strings alike', async () => {
  const body = new PassThrough();
  const all = readAll(body);
  body.write('{"a":');
  body.write(Buffer.from('"é"'));
  body.end('}');
  assert.equal((await all).toString('utf8'), '{"a":"é"}');
  assert.equal((await readAll(Readable.from(['x', 'y']))).toString(), 'xy');
  const empty = new PassThrough();
  const none = readAll(empty);
  empty.end();
  assert.equal((await none).length, 0);
});

test('a body destroyed before its end rejects with ERR_STREAM_PREMATURE_CLOSE; a body that errors rejects with its error', async () => {
  const cut = new PassThrough();
  const a = readAll(cut);
  cut.write('partial');
  cut.destroy();
  await assert.rejects(a, (err: NodeJS.ErrnoException) => err.code === 'ERR_STREAM_PREMATURE_CLOSE');
  const failed = new PassThrough();
  const b = readAll(failed);
  failed.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
  await assert.rejects(b, (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET');
});
