// Bad bodies: every failure is a 400 StatusError with a useful message; nothing else escapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject } from '../../../src/api/protobuf/decode.js';
import { isStatusError } from '../../../src/api/status.js';
import { protoRoot, messageName } from '../../../src/api/protobuf/schema.js';
import { encodeProtobufObject } from './encode-for-test.js';
import { fixtures } from './fixtures.js';

const magic = Buffer.from('k8s\0', 'latin1');

function envelope(fields: Record<string, unknown>): Buffer {
  return Buffer.concat([magic, protoRoot().lookupType(messageName('runtime.Unknown')).encode(fields).finish()]);
}

function assertBadRequest(body: Uint8Array, message?: RegExp): void {
  let thrown: unknown;
  try {
    decodeProtobufObject(body);
  } catch (err) {
    thrown = err;
  }
  assert.ok(isStatusError(thrown), `expected a StatusError, got ${String(thrown)}`);
  assert.equal(thrown.code, 400);
  assert.equal(thrown.reason, 'BadRequest');
  if (message) assert.match(thrown.message, message);
}

/** Decodes or fails with a 400; anything else (TypeError, RangeError, …) fails the test. */
function decodeOr400(body: Uint8Array): 'ok' | 'bad' {
  try {
    decodeProtobufObject(body);
    return 'ok';
  } catch (err) {
    assert.ok(isStatusError(err) && err.code === 400, `non-400 failure: ${String(err)}`);
    return 'bad';
  }
}

const cases: { name: string; body: Uint8Array; message: RegExp }[] = [
  { name: 'an empty body', body: new Uint8Array(0), message: /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/ },
  { name: 'a JSON body', body: Buffer.from('{"kind":"Pod"}'), message: /does not appear to be a protobuf message/ },
  { name: 'a body shorter than the magic', body: Buffer.from('k8s'), message: /does not appear to be a protobuf message/ },
  { name: 'the magic and nothing else', body: magic, message: /Kind' is missing/ },
  { name: 'an envelope without apiVersion', body: envelope({ f1: { f2: 'Pod' } }), message: /apiVersion' is missing/ },
  { name: 'an unknown kind', body: envelope({ f1: { f1: 'v1', f2: 'Frobnicator' } }), message: /no kind "Frobnicator" is registered for version "v1"/ },
  { name: 'an unknown version', body: envelope({ f1: { f1: 'example.com/v9', f2: 'Pod' } }), message: /no kind "Pod" is registered for version "example.com\/v9"/ },
  { name: 'an invalid wire type', body: Buffer.concat([magic, Buffer.from([0x0f, 0x01])]), message: /unable to decode protobuf body/ },
  { name: 'a length past the end of the body', body: Buffer.concat([magic, Buffer.from([0x12, 0x7f, 0x01])]), message: /unable to decode protobuf body/ },
  { name: 'a gzip content encoding', body: envelope({ f1: { f1: 'v1', f2: 'Pod' }, f3: 'gzip' }), message: /unsupported content encoding "gzip"/ },
  {
    name: 'an IntOrString of impossible type',
    // PodDisruptionBudget.spec (2) .minAvailable (1) = IntOrString{type: 7}
    body: envelope({ f1: { f1: 'policy/v1', f2: 'PodDisruptionBudget' }, f2: Buffer.from([0x12, 0x04, 0x0a, 0x02, 0x08, 0x07]) }),
    message: /impossible IntOrString.Type: 7/,
  },
  {
    name: 'a RawExtension that is not JSON',
    // ControllerRevision.data (2) = RawExtension{raw: "{"}
    body: envelope({ f1: { f1: 'apps/v1', f2: 'ControllerRevision' }, f2: Buffer.from([0x12, 0x03, 0x0a, 0x01, 0x7b]) }),
    message: /not valid JSON/,
  },
];

for (const c of cases) {
  test(`${c.name} is rejected with a 400 that says why`, () => assertBadRequest(c.body, c.message));
}

test('every truncation inside the object message is a 400', () => {
  const body = Buffer.from(encodeProtobufObject(fixtures.Pod));
  // The encoder writes the raw object last, so cutting anywhere in its last bytes leaves its
  // length prefix pointing past the end.
  const unknown = protoRoot().lookupType(messageName('runtime.Unknown')).decode(body.subarray(4)) as unknown as { f2: Uint8Array };
  for (let cut = body.length - unknown.f2.length + 1; cut < body.length; cut++) {
    assertBadRequest(body.subarray(0, cut), /unable to decode protobuf body/);
  }
});

test('every prefix of a valid body decodes or fails with a 400, never anything else', () => {
  const body = Buffer.from(encodeProtobufObject(fixtures.StatefulSet));
  for (let cut = 0; cut < body.length; cut++) decodeOr400(body.subarray(0, cut));
});

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random bytes, with and without the magic prefix, never throw anything but a 400', () => {
  const rand = rng(42);
  for (let i = 0; i < 2000; i++) {
    const bytes = Buffer.alloc(Math.floor(rand() * 200), 0).map(() => Math.floor(rand() * 256));
    assert.equal(decodeOr400(bytes), 'bad');
    decodeOr400(Buffer.concat([magic, bytes]));
  }
});

test('randomly corrupted valid bodies decode or fail with a 400, never anything else', () => {
  const rand = rng(7);
  const originals = Object.values(fixtures).map((f) => Buffer.from(encodeProtobufObject(f)));
  const outcomes = { ok: 0, bad: 0 };
  for (let i = 0; i < 1500; i++) {
    const body = Buffer.from(originals[i % originals.length]);
    for (let flips = 1 + Math.floor(rand() * 4); flips > 0; flips--) body[4 + Math.floor(rand() * (body.length - 4))] = Math.floor(rand() * 256);
    outcomes[decodeOr400(body)]++;
  }
  assert.ok(outcomes.bad > 0, 'some corruptions are detected');
});
