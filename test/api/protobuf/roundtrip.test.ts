// Kinds that no kubectl command sends as protobuf, round-tripped through our encoder, plus the
// Go encoding/json rules the decoder reproduces, checked one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject, isProtobufContentType } from '../../../src/api/protobuf/decode.js';
import { formatDuration, formatTime, structToJson } from '../../../src/api/protobuf/to-json.js';
import { goKinds } from '../../../src/api/protobuf/go-types.generated.js';
import { protoRoot, messageName } from '../../../src/api/protobuf/schema.js';
import { encodeProtobufObject } from './encode-for-test.js';
import { fixtures } from './fixtures.js';

for (const [name, obj] of Object.entries(fixtures)) {
  test(`a ${name} in Go JSON form survives a protobuf round trip unchanged`, () => {
    assert.deepEqual(decodeProtobufObject(encodeProtobufObject(obj)), obj);
  });
}

test('every registered kind decodes from an empty message into its Go zero-value JSON', () => {
  const root = protoRoot();
  let count = 0;
  for (const [apiVersion, kinds] of Object.entries(goKinds)) {
    for (const kind of Object.keys(kinds)) {
      const envelope = root.lookupType(messageName('runtime.Unknown')).encode({ f1: { f1: apiVersion, f2: kind }, f2: new Uint8Array(0) }).finish();
      const obj = decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0', 'latin1'), envelope]));
      assert.equal(obj.apiVersion, apiVersion);
      assert.equal(obj.kind, kind);
      count++;
    }
  }
  // The groups of the brief: core, apps, batch, rbac, scheduling, policy, coordination,
  // discovery, events, authorization, authentication, autoscaling, networking, and more.
  for (const gv of ['v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'policy/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1', 'authorization.k8s.io/v1', 'authentication.k8s.io/v1', 'autoscaling/v1', 'networking.k8s.io/v1']) {
    assert.ok(goKinds[gv], `${gv} is registered`);
  }
  assert.ok(count > 100);
});

test('an empty Deployment message decodes to what Go prints for a zero Deployment', () => {
  assert.deepEqual(structToJson('apps/v1.Deployment', undefined), {
    metadata: { creationTimestamp: null },
    spec: { selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
    status: {},
  });
});

test('unknown field numbers in the object message are skipped, not an error', () => {
  const obj = fixtures.ReplicaSet;
  const body = Buffer.from(encodeProtobufObject(obj));
  // The fixture encoding ends with the raw object (envelope field 2). Append to the raw object
  // an unknown varint field 99 and an unknown length-delimited field 98, and fix the lengths.
  const root = protoRoot();
  const unknown = root.lookupType(messageName('runtime.Unknown')).decode(body.subarray(4)) as unknown as { f2: Uint8Array };
  const extra = Buffer.from([0x98, 0x06, 0x2a, 0x92, 0x06, 0x03, 0x61, 0x62, 0x63]);
  const raw = Buffer.concat([Buffer.from(unknown.f2), extra]);
  const envelope = root.lookupType(messageName('runtime.Unknown')).encode({ f1: { f1: 'apps/v1', f2: 'ReplicaSet' }, f2: raw, f4: 'application/vnd.kubernetes.protobuf' }).finish();
  assert.deepEqual(decodeProtobufObject(Buffer.concat([Buffer.from('k8s\0', 'latin1'), envelope])), obj);
});

test('a present pointer holding zero is kept while a non-pointer omitempty zero is dropped, as in Go', () => {
  const dep = decodeProtobufObject(encodeProtobufObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 0 }, spec: { replicas: 0, paused: false, minReadySeconds: 0 } }));
  const spec = dep.spec as Record<string, unknown>;
  assert.equal(spec.replicas, 0);
  assert.equal('paused' in spec, false);
  assert.equal('minReadySeconds' in spec, false);
  assert.equal('generation' in (dep.metadata ?? {}), false);
});

test('times print as RFC3339, micro times with six fractional digits, and the zero time is null', () => {
  assert.equal(formatTime(1704164645, 0, false), '2024-01-02T03:04:05Z');
  assert.equal(formatTime(1704164645, 123456789, true), '2024-01-02T03:04:05.123456Z');
  assert.equal(formatTime(1704164645, 0, true), '2024-01-02T03:04:05.000000Z');
  assert.equal(structToJson('meta/v1.ObjectMeta', { f8: {} }).creationTimestamp, null);
});

test('durations print as Go time.Duration strings', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1, '1ns'],
    [1500, '1.5µs'],
    [2_000_000, '2ms'],
    [1.5e9, '1.5s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [-5e9, '-5s'],
  ];
  for (const [ns, text] of cases) assert.equal(formatDuration(ns), text, `${ns}ns`);
});

test('the protobuf content type is recognised with or without parameters, and nothing else is', () => {
  const cases: [string, boolean][] = [
    ['application/vnd.kubernetes.protobuf', true],
    ['application/vnd.kubernetes.protobuf; charset=binary', true],
    ['Application/VND.Kubernetes.Protobuf', true],
    ['application/vnd.kubernetes.protobuf;stream=watch', true],
    ['application/json', false],
    ['application/vnd.kubernetes.protobuf+json', false],
    ['', false],
  ];
  for (const [ct, want] of cases) assert.equal(isProtobufContentType(ct), want, ct);
});
