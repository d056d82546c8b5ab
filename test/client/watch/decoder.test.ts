// The watch decoder on its own: framing, errors that end the stream, stop(), and that it pulls
// (does not read ahead of the consumer). The server-facing cases are in watch.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { WatchConnectionError, WatchDecodeError, WatchDecoder } from '../../../src/client/watch/decoder.js';
import { ApiError, isGone } from '../../../src/client/rest/errors.js';
import type { WatchEvent } from '../../../src/client/types.js';

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
const line = (type: string, object: unknown) => JSON.stringify({ type, object }) + '\n';

async function drain(stream: WatchDecoder): Promise<{ events: WatchEvent[]; error?: unknown }> {
  const events: WatchEvent[] = [];
  try {
    for await (const e of stream) events.push(e);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

const cases: Array<{ name: string; chunks: Array<string | Buffer>; names: string[]; error?: (err: unknown) => boolean }> = [
  {
    name: 'events split across chunks at arbitrary points are reassembled in order',
    chunks: (() => {
      const all = line('ADDED', cm('a')) + line('MODIFIED', cm('b')) + line('DELETED', cm('c'));
      return [all.slice(0, 7), all.slice(7, 60), all.slice(60)];
    })(),
    names: ['a', 'b', 'c'],
  },
  {
    name: 'a multi-byte character split between two chunks decodes intact',
    chunks: (() => {
      const bytes = Buffer.from(line('ADDED', { ...cm('x'), data: { k: 'héllo → ✓' } }));
      const cut = bytes.indexOf(Buffer.from('✓')) + 1;
      return [bytes.subarray(0, cut), bytes.subarray(cut)];
    })(),
    names: ['x'],
  },
  {
    name: 'blank lines between events are ignored and a bookmark is delivered as an event',
    chunks: ['\n' + line('BOOKMARK', { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '9' } }) + '\n\n' + line('ADDED', cm('a'))],
    names: [undefined as unknown as string, 'a'],
  },
  {
    name: 'a line that is not JSON ends the watch with a decode error after the good events',
    chunks: [line('ADDED', cm('a')) + '{"type":"ADDED",\n' + line('ADDED', cm('never'))],
    names: ['a'],
    error: (e) => e instanceof WatchDecodeError && /cannot decode/.test(e.message),
  },
  {
    name: 'an unknown event type ends the watch with an error instead of being dropped',
    chunks: [line('ADDED', cm('a')) + line('RENAMED', cm('b'))],
    names: ['a'],
    error: (e) => e instanceof WatchDecodeError && /unknown event type "RENAMED"/.test(e.message),
  },
  {
    name: 'an event without an object ends the watch with an error',
    chunks: ['{"type":"ADDED"}\n'],
    names: [],
    error: (e) => e instanceof WatchDecodeError,
  },
  {
    name: 'an ERROR event carrying a 410 Status ends the watch with an ApiError that isGone',
    chunks: [line('ADDED', cm('a')) + line('ERROR', { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' })],
    names: ['a'],
    error: (e) => e instanceof ApiError && isGone(e) && e.code === 410 && /too old/.test(e.message),
  },
  {
    name: 'a body that ends in the middle of an event is an error, not a clean end',
    chunks: [line('ADDED', cm('a')) + '{"type":"ADDED","object":{"metadata":'],
    names: ['a'],
    error: (e) => e instanceof WatchDecodeError && /middle of an event/.test(e.message),
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const { events, error } = await drain(new WatchDecoder(Readable.from(c.chunks, { objectMode: false })));
    assert.deepEqual(events.map((e) => e.object.metadata?.name), c.names);
    if (c.error) assert.ok(c.error(error), `unexpected error: ${String(error)}`);
    else assert.equal(error, undefined);
  });
}

test('a body destroyed by the connection before it ended surfaces as a WatchConnectionError', async () => {
  const body = new Readable({ read() {} });
  body.push(line('ADDED', cm('a')));
  const stream = new WatchDecoder(body);
  const it = stream[Symbol.asyncIterator]();
  assert.equal((await it.next()).value?.object.metadata?.name, 'a');
  const next = it.next();
  body.destroy();
  await assert.rejects(next, WatchConnectionError);
});

test('stop() ends the iteration without an error and calls the abort function once', async () => {
  let aborted = 0;
  const body = new Readable({ read() {} });
  body.push(line('ADDED', cm('a')));
  const stream = new WatchDecoder(body, () => aborted++);
  const seen: string[] = [];
  for await (const e of stream) {
    seen.push(e.object.metadata!.name!);
    setImmediate(() => stream.stop());
  }
  assert.deepEqual(seen, ['a']);
  assert.equal(aborted, 1);
  assert.ok(body.destroyed);
});

test('breaking out of for-await releases the request', async () => {
  let aborted = 0;
  const stream = new WatchDecoder(Readable.from([line('ADDED', cm('a')) + line('ADDED', cm('b'))]), () => aborted++);
  for await (const e of stream) {
    assert.equal(e.object.metadata?.name, 'a');
    break;
  }
  assert.equal(aborted, 1);
});

test('the decoder pulls: it reads no further chunks than the consumer has asked for', async () => {
  let reads = 0;
  const total = 50;
  const body = new Readable({
    highWaterMark: 1,
    read() {
      reads++;
      this.push(reads <= total ? line('ADDED', cm(`o${reads}`)) : null);
    },
  });
  const it = new WatchDecoder(body)[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) await it.next();
  // A stream buffers at most a chunk or two ahead; an eager reader would have consumed all 50.
  assert.ok(reads < 10, `read ${reads} chunks for 3 events`);
  await it.return?.();
});

test('a WatchStream can be iterated only once', () => {
  const stream = new WatchDecoder(Readable.from([]));
  stream[Symbol.asyncIterator]();
  assert.throws(() => stream[Symbol.asyncIterator](), /only once/);
});

test('the events are the same however the body is cut into chunks: one byte each, lines across several chunks, CRLF endings', async () => {
  const objects = [
    { ...cm('a'), data: { k: 'héllo → ✓ 𝄞' } },
    { ...cm('b'), data: { long: 'x'.repeat(5000) + 'é' } },
    cm('c'),
  ];
  const text = line('ADDED', objects[0]) + '  \r\n' + JSON.stringify({ type: 'MODIFIED', object: objects[1] }) + '\r\n' + line('DELETED', objects[2]);
  const bytes = Buffer.from(text);
  const cuts: Array<Array<string | Buffer>> = [
    [text],
    Array.from(bytes, (b) => Buffer.from([b])),
    [bytes.subarray(0, 3), bytes.subarray(3, 4000), bytes.subarray(4000, 4001), bytes.subarray(4001)],
  ];
  for (const chunks of cuts) {
    const { events, error } = await drain(new WatchDecoder(Readable.from(chunks, { objectMode: false })));
    assert.equal(error, undefined);
    assert.deepEqual(
      events.map((e) => [e.type, e.object]),
      [
        ['ADDED', objects[0]],
        ['MODIFIED', objects[1]],
        ['DELETED', objects[2]],
      ],
    );
  }
});
