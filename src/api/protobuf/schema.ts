// The protobuf schema of the built-in API types, as a protobufjs reflection Root built from the
// Go struct table in go-types.generated.ts. Field numbers and wire types come from the
// `protobuf:` struct tags (the same facts as upstream's generated.proto); the special
// apimachinery types whose Go structs do not mirror their wire form are described by hand here,
// after their messages in apimachinery's generated.proto files.
import protobuf from 'protobufjs';
import { goKinds, goStructs } from './go-types.generated.js';

/** One protobuf field of a Go struct, with what the JSON conversion needs to know about it. */
export interface GoField {
  num: number;
  /** JSON key; '' = embedded struct whose fields are inlined; '-' = never serialized to JSON. */
  json: string;
  omitempty: boolean;
  type: GoType;
}

/** A Go type expression, enough to reproduce encoding/json's output for it. */
export type GoType =
  | { kind: 'scalar'; name: ScalarName }
  | { kind: 'special'; name: SpecialName }
  | { kind: 'struct'; id: string }
  | { kind: 'ptr'; elem: GoType }
  | { kind: 'slice'; elem: GoType }
  /** A named slice type (authentication/v1 ExtraValue): a wrapper message {1: repeated elem}. */
  | { kind: 'wrapped'; elem: GoType }
  | { kind: 'map'; key: ScalarName; elem: GoType };

export type ScalarName = 'string' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'float32' | 'float64' | 'bytes';
export type SpecialName = 'Time' | 'MicroTime' | 'Duration' | 'FieldsV1' | 'IntOrString' | 'Quantity' | 'RawExtension';

const scalars = new Set<string>(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'float32', 'float64', 'bytes']);
const specials = new Set<string>(['Time', 'MicroTime', 'Duration', 'FieldsV1', 'IntOrString', 'Quantity', 'RawExtension']);

export function parseGoType(expr: string): GoType {
  if (expr.startsWith('*')) return { kind: 'ptr', elem: parseGoType(expr.slice(1)) };
  if (expr.startsWith('~[]')) return { kind: 'wrapped', elem: parseGoType(expr.slice(3)) };
  if (expr.startsWith('[]')) return { kind: 'slice', elem: parseGoType(expr.slice(2)) };
  if (expr.startsWith('map[')) {
    const close = expr.indexOf(']');
    const key = expr.slice(4, close);
    if (!scalars.has(key)) throw new Error(`unsupported map key type ${key}`);
    return { kind: 'map', key: key as ScalarName, elem: parseGoType(expr.slice(close + 1)) };
  }
  if (scalars.has(expr)) return { kind: 'scalar', name: expr as ScalarName };
  if (specials.has(expr)) return { kind: 'special', name: expr as SpecialName };
  if (!(expr in goStructs)) throw new Error(`unknown Go type ${expr}`);
  return { kind: 'struct', id: expr };
}

let fieldCache: Map<string, GoField[]> | undefined;

/** The protobuf fields of a Go struct, parsed from its generated rows. */
export function structFields(id: string): GoField[] {
  fieldCache ??= new Map();
  let fields = fieldCache.get(id);
  if (!fields) {
    const rows = goStructs[id];
    if (!rows) throw new Error(`unknown Go struct ${id}`);
    fields = rows.map((row) => {
      const [num, , json, flags, type] = row.split(' ');
      return { num: Number(num), json, omitempty: flags.includes('o'), type: parseGoType(type) };
    });
    fieldCache.set(id, fields);
  }
  return fields;
}

/** The struct id of a kind, or undefined when the apiVersion/kind pair is not registered. */
export function kindStruct(apiVersion: string, kind: string): string | undefined {
  const kinds = goKinds[apiVersion];
  return kinds && Object.prototype.hasOwnProperty.call(kinds, kind) ? kinds[kind] : undefined;
}

/** Whether any kind is registered for this apiVersion. */
export function knownVersion(apiVersion: string): boolean {
  return Object.prototype.hasOwnProperty.call(goKinds, apiVersion);
}

/** The protobufjs field name of field number n: names on the wire do not matter, numbers do. */
export const fieldKey = (num: number) => `f${num}`;

// The special types' messages (apimachinery generated.proto): Time and MicroTime are
// {seconds int64 = 1, nanos int32 = 2}; Duration {duration int64 = 1}; FieldsV1 {Raw bytes = 1};
// IntOrString {type int64 = 1, intVal int32 = 2, strVal string = 3}; Quantity {string = 1};
// RawExtension {raw bytes = 1}.
const specialMessages: Record<SpecialName, Record<string, protobuf.IField>> = {
  Time: { f1: { id: 1, type: 'int64' }, f2: { id: 2, type: 'int32' } },
  MicroTime: { f1: { id: 1, type: 'int64' }, f2: { id: 2, type: 'int32' } },
  Duration: { f1: { id: 1, type: 'int64' } },
  FieldsV1: { f1: { id: 1, type: 'bytes' } },
  IntOrString: { f1: { id: 1, type: 'int64' }, f2: { id: 2, type: 'int32' }, f3: { id: 3, type: 'string' } },
  Quantity: { f1: { id: 1, type: 'string' } },
  RawExtension: { f1: { id: 1, type: 'bytes' } },
};

const protoScalar: Record<ScalarName, string> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  int64: 'int64',
  uint32: 'uint32',
  uint64: 'uint64',
  float32: 'float',
  float64: 'double',
  bytes: 'bytes',
};

/** protobufjs type names must be identifiers: core/v1.PodSpec → core_v1_PodSpec. */
export const messageName = (id: string) => id.replace(/[^A-Za-z0-9]/g, '_');

let root: protobuf.Root | undefined;

/** Builds (once) the protobufjs Root holding a message for every Go struct in the table. */
export function protoRoot(): protobuf.Root {
  if (root) return root;
  const nested: Record<string, protobuf.IType> = {};
  // Every message is proto2, as upstream's generated.proto: a field present on the wire with a
  // zero value (replicas: 0) stays present, which proto3's implicit presence would lose.
  const edition = 'proto2';
  for (const [name, fields] of Object.entries(specialMessages)) nested[`S_${name}`] = { edition, fields };

  // Element type of a repeated field or map value, adding wrapper messages as they are met.
  const elemType = (t: GoType): string => {
    switch (t.kind) {
      case 'scalar':
        return protoScalar[t.name];
      case 'special':
        return `S_${t.name}`;
      case 'struct':
        return messageName(t.id);
      case 'wrapped': {
        const inner = elemType(t.elem);
        const name = `W_${inner}`;
        nested[name] ??= { edition, fields: { f1: { id: 1, type: inner, rule: 'repeated' } } };
        return name;
      }
      default:
        throw new Error(`unsupported nested Go type ${t.kind}`);
    }
  };

  for (const id of Object.keys(goStructs)) {
    const fields: Record<string, protobuf.IField | protobuf.IMapField> = {};
    for (const f of structFields(id)) {
      const t = f.type.kind === 'ptr' ? f.type.elem : f.type;
      if (t.kind === 'slice') fields[fieldKey(f.num)] = { id: f.num, type: elemType(t.elem), rule: 'repeated' };
      else if (t.kind === 'map') fields[fieldKey(f.num)] = { id: f.num, keyType: protoScalar[t.key], type: elemType(t.elem) } as protobuf.IMapField;
      else fields[fieldKey(f.num)] = { id: f.num, type: elemType(t) };
    }
    nested[messageName(id)] = { edition, fields };
  }
  const built = protobuf.Root.fromJSON({ nested });
  built.resolveAll();
  root = built;
  return root;
}
