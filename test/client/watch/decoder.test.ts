// The watch decoder on its own: framing, errors that end the stream, stop(), and that it pulls
// (does not read ahead of the consumer). The server-facing cases are in watch.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { WatchConnectionError, WatchDecodeError, WatchDecoder, withoutManagedFields } from '../../../src/client/watch/decoder.js';
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

// ---- leaving managedFields out ----------------------------------------------------------------

/** What the informer's transform makes of a decoded object: the same keys in the same order, minus metadata.managedFields. */
const dropped = (obj: { metadata?: Record<string, unknown> }) => {
  if (!obj.metadata || !('managedFields' in obj.metadata)) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
};

/** Strings that try to look like structure: quotes, backslashes, brackets, the key itself. */
const tricky = ['plain', 'a"b', 'back\\slash', 'ends with backslash\\', '\\"', '"managedFields":[', ',"managedFields":[{"x":1}]', '{[}]', 'k:{"name":"x]"}', 'héllo ✓', ''];

test('withoutManagedFields: the cut line parses to the object the whole line gives, without metadata.managedFields, keys in place', () => {
  let seed = 11;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const pick = <T>(xs: T[]) => xs[rnd(xs.length)]!;
  const value = (depth: number): unknown => {
    const k = rnd(depth > 2 ? 3 : 6);
    if (k === 0) return pick(tricky);
    if (k === 1) return rnd(1000);
    if (k === 2) return pick([true, null]);
    if (k === 3) return Array.from({ length: rnd(3) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = rnd(4); i > 0; i--) o[pick(['f:spec', 'k:{"type":"Ready"}', 'managedFields', '.', pick(tricky)])] = value(depth + 1);
    return o;
  };
  const managedFields = () => Array.from({ length: rnd(3) }, () => ({ manager: pick(tricky), operation: 'Update', apiVersion: 'v1', time: '2024-05-01T12:00:00Z', fieldsType: 'FieldsV1', fieldsV1: value(0) }));
  let cut = 0;
  for (let n = 0; n < 3000; n++) {
    const metadata: Record<string, unknown> = {};
    const members = ['name', 'namespace', 'uid', 'labels', 'annotations', 'ownerReferences', 'resourceVersion'].filter(() => rnd(2) === 0);
    const mfAt = rnd(3) === 0 ? -1 : rnd(members.length + 1);
    members.forEach((m, i) => {
      if (i === mfAt) metadata.managedFields = managedFields();
      metadata[m] = m === 'labels' || m === 'annotations' ? { [pick(tricky)]: pick(tricky), managedFields: pick(tricky) } : m === 'ownerReferences' ? [{ kind: 'X', name: pick(tricky) }] : pick(tricky);
    });
    if (mfAt === members.length) metadata.managedFields = managedFields();
    // Objects whose head differs (kind first, extra members first) and nested managedFields elsewhere.
    const object: Record<string, unknown> = rnd(4) === 0 ? { kind: 'Pod', apiVersion: 'v1', metadata } : rnd(4) === 0 ? { spec: { managedFields: [1] }, metadata } : { apiVersion: 'v1', kind: 'Pod', metadata };
    object.spec = { containers: [{ name: pick(tricky), env: [{ name: 'managedFields', value: pick(tricky) }] }], managedFields: value(0) };
    const type = pick(['ADDED', 'MODIFIED', 'DELETED']);
    const text = rnd(20) === 0 ? JSON.stringify({ type, object }, null, 1).replace(/\n/g, '') : JSON.stringify({ type, object });
    const out = withoutManagedFields(text);
    if (out !== text) cut++;
    const want = { type, object: dropped(JSON.parse(text).object) };
    const got = JSON.parse(out) as { type: string; object: { metadata?: Record<string, unknown> } };
    assert.equal(JSON.stringify({ type: got.type, object: dropped(got.object) }), JSON.stringify(want), text);
  }
  assert.ok(cut > 1000, `most lines with managedFields in metadata are cut (${cut})`);
});

test('withoutManagedFields cuts a real pod event the API server sent, first, middle or last in metadata', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'm-1',
      namespace: 'default',
      uid: '3c0ec3a7',
      creationTimestamp: '2026-12-05T23:50:09Z',
      managedFields: [{ manager: 'k8ts-client', operation: 'Update', apiVersion: 'v1', time: '2026-12-05T23:50:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:containers': { 'k:{"name":"pause"}': { '.': {}, 'f:image': {} } } } } }],
      resourceVersion: '16',
    },
    spec: { nodeName: 'node-1' },
  };
  const text = line('MODIFIED', pod).trimEnd();
  const out = withoutManagedFields(text);
  assert.equal(out, text.replace(/,"managedFields":\[.*\}\}\}\}\}\]/, ''));
  assert.deepEqual(JSON.parse(out), { type: 'MODIFIED', object: dropped(pod) });
  const first = line('ADDED', { kind: 'Pod', apiVersion: 'v1', metadata: { managedFields: [], name: 'a' } }).trimEnd();
  assert.equal(withoutManagedFields(first), '{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"}}}');
  const only = line('ADDED', { metadata: { managedFields: [{}] } }).trimEnd();
  assert.equal(withoutManagedFields(only), '{"type":"ADDED","object":{"metadata":{}}}');
});

test('a decoder told to drop managedFields yields the events without them, and the same events otherwise', async () => {
  const obj = (name: string) => ({ ...cm(name), metadata: { name, managedFields: [{ manager: 'm', fieldsV1: { 'f:data': {} } }], resourceVersion: '5' } });
  const body = () => Readable.from([line('ADDED', obj('a')) + line('MODIFIED', obj('b'))]);
  const kept = await drain(new WatchDecoder(body()));
  const cutEvents = await drain(new WatchDecoder(body(), () => {}, true));
  assert.deepEqual(
    cutEvents.events,
    kept.events.map((e) => ({ type: e.type, object: dropped(e.object as never) })),
  );
  assert.ok(cutEvents.events.every((e) => !('managedFields' in (e.object.metadata ?? {}))));
});
