// Test helper: encodes an object written in Go's JSON form into a Kubernetes protobuf body, with
// the same schema the decoder uses. Used for kinds that no kubectl command sends as protobuf
// (Node, Lease, StatefulSet, …): field numbers are checked by the kubectl-oracle tests and the
// generator; these round trips check the JSON shaping (presence, inlining, special types).
import { protoRoot, messageName, structFields, fieldKey, kindStruct, type GoType } from '../../../src/api/protobuf/schema.js';

type Json = Record<string, unknown>;

function encodeStruct(id: string, json: Json): Json {
  const out: Json = {};
  for (const f of structFields(id)) {
    if (f.json === '-') continue;
    const t = f.type.kind === 'ptr' ? f.type.elem : f.type;
    if (f.json === '') {
      if (t.kind !== 'struct') throw new Error('inline non-struct');
      const sub = encodeStruct(t.id, json);
      if (f.type.kind !== 'ptr' || Object.keys(sub).length > 0) out[fieldKey(f.num)] = sub;
      continue;
    }
    const v = json[f.json];
    if (v === undefined || v === null) continue;
    out[fieldKey(f.num)] = encodeValue(t, v);
  }
  return out;
}

function encodeValue(t: GoType, v: unknown): unknown {
  switch (t.kind) {
    case 'ptr':
      return encodeValue(t.elem, v);
    case 'scalar':
      return t.name === 'bytes' ? Buffer.from(String(v), 'base64') : v;
    case 'struct':
      return encodeStruct(t.id, v as Json);
    case 'slice':
      return (v as unknown[]).map((x) => encodeValue(t.elem, x));
    case 'wrapped':
      return { f1: (v as unknown[]).map((x) => encodeValue(t.elem, x)) };
    case 'map':
      return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, encodeValue(t.elem, x)]));
    case 'special':
      switch (t.name) {
        case 'Time':
        case 'MicroTime': {
          const ms = Date.parse(String(v));
          const frac = /\.(\d+)Z$/.exec(String(v))?.[1] ?? '';
          return { f1: Math.floor(ms / 1000), f2: Number(frac.padEnd(9, '0')) };
        }
        case 'Quantity':
          return { f1: v };
        case 'IntOrString':
          return typeof v === 'number' ? { f1: 0, f2: v } : { f1: 1, f3: v };
        case 'RawExtension':
        case 'FieldsV1':
          return { f1: Buffer.from(JSON.stringify(v)) };
        case 'Duration':
          throw new Error('Duration encoding not needed by the tests');
      }
  }
}

/** "k8s\0" + runtime.Unknown{typeMeta, raw} for a Go-JSON object with apiVersion and kind. */
export function encodeProtobufObject(obj: Json): Uint8Array {
  const apiVersion = String(obj.apiVersion);
  const kind = String(obj.kind);
  const id = kindStruct(apiVersion, kind);
  if (!id) throw new Error(`no struct for ${apiVersion} ${kind}`);
  const root = protoRoot();
  const raw = root.lookupType(messageName(id)).encode(encodeStruct(id, obj)).finish();
  const envelope = root.lookupType(messageName('runtime.Unknown')).encode({ f1: { f1: apiVersion, f2: kind }, f2: raw }).finish();
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), envelope]);
}
