// Regenerates src/api/protobuf/go-types.generated.ts from the Go type information inside the
// installed kubectl 1.32 binary. Every built-in API struct's fields carry their `json:` and
// `protobuf:` struct tags, and the binary's reflection data says whether a field is a pointer,
// slice, map or value — exactly the facts the protobuf→JSON conversion needs (field numbers,
// json names, omitempty, and whether a present zero value must be kept). Reading them from the
// binary keeps the table complete and free of transcription mistakes.
//
// Run: node --import tsx test/api/protobuf/tools/extract-go-types.ts [path/to/kubectl-1.32]
// It is a maintenance tool, not a test: the generated file is checked in.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Go package → apiVersion of the kinds it defines, for the groups we decode. */
const packages: Record<string, string> = {
  'k8s.io/api/core/v1': 'v1',
  'k8s.io/api/apps/v1': 'apps/v1',
  'k8s.io/api/batch/v1': 'batch/v1',
  'k8s.io/api/rbac/v1': 'rbac.authorization.k8s.io/v1',
  'k8s.io/api/scheduling/v1': 'scheduling.k8s.io/v1',
  'k8s.io/api/policy/v1': 'policy/v1',
  'k8s.io/api/coordination/v1': 'coordination.k8s.io/v1',
  'k8s.io/api/discovery/v1': 'discovery.k8s.io/v1',
  'k8s.io/api/events/v1': 'events.k8s.io/v1',
  'k8s.io/api/authorization/v1': 'authorization.k8s.io/v1',
  'k8s.io/api/authentication/v1': 'authentication.k8s.io/v1',
  'k8s.io/api/autoscaling/v1': 'autoscaling/v1',
  'k8s.io/api/autoscaling/v2': 'autoscaling/v2',
  'k8s.io/api/networking/v1': 'networking.k8s.io/v1',
  'k8s.io/api/storage/v1': 'storage.k8s.io/v1',
  'k8s.io/api/certificates/v1': 'certificates.k8s.io/v1',
  'k8s.io/api/node/v1': 'node.k8s.io/v1',
  'k8s.io/api/admissionregistration/v1': 'admissionregistration.k8s.io/v1',
  'k8s.io/api/flowcontrol/v1': 'flowcontrol.apiserver.k8s.io/v1',
};

/** Types whose wire and JSON forms are custom (hand-written in schema.ts). */
const special: Record<string, string> = {
  'k8s.io/apimachinery/pkg/apis/meta/v1.Time': 'Time',
  'k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime': 'MicroTime',
  'k8s.io/apimachinery/pkg/apis/meta/v1.Duration': 'Duration',
  'k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1': 'FieldsV1',
  'k8s.io/apimachinery/pkg/util/intstr.IntOrString': 'IntOrString',
  'k8s.io/apimachinery/pkg/api/resource.Quantity': 'Quantity',
  'k8s.io/apimachinery/pkg/runtime.RawExtension': 'RawExtension',
};

const binary = process.argv[2] ?? '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const buf = readFileSync(binary);

// ELF section headers (via readelf, which is always next to `strings`).
const sections = new Map<string, { addr: bigint; off: number; size: number }>();
for (const line of execFileSync('readelf', ['-S', '-W', binary], { encoding: 'utf8' }).split('\n')) {
  const m = /\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(line);
  if (m) sections.set(m[1], { addr: BigInt('0x' + m[2]), off: parseInt(m[3], 16), size: parseInt(m[4], 16) });
}
const rodata = sections.get('.rodata')!;
const typelink = sections.get('.typelink')!;
// Go's linker puts the type descriptors at the start of .rodata: that is moduledata.types.
const typesBase = rodata.addr;

function fileOffset(addr: bigint): number {
  const o = Number(addr - rodata.addr);
  if (o < 0 || o >= rodata.size) throw new Error(`address 0x${addr.toString(16)} outside .rodata`);
  return o + rodata.off;
}

function readVarint(o: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (;;) {
    const b = buf[o++];
    v |= (b & 0x7f) << shift;
    shift += 7;
    if (!(b & 0x80)) return [v, o];
  }
}

/** A runtime `abi.Name`: flags byte, varint length, bytes, then optional tag. */
function readName(addr: bigint): { flags: number; name: string; tag?: string } {
  let o = fileOffset(addr);
  const flags = buf[o++];
  let len: number;
  [len, o] = readVarint(o);
  const name = buf.toString('utf8', o, o + len);
  o += len;
  let tag: string | undefined;
  if (flags & 2) {
    [len, o] = readVarint(o);
    tag = buf.toString('utf8', o, o + len);
  }
  return { flags, name, tag };
}

const kindNames: Record<number, string> = {
  1: 'bool', 2: 'int', 3: 'int8', 4: 'int16', 5: 'int32', 6: 'int64', 7: 'uint', 8: 'uint8', 9: 'uint16', 10: 'uint32',
  11: 'uint64', 13: 'float32', 14: 'float64', 17: 'array', 18: 'chan', 19: 'func', 20: 'interface', 21: 'map', 22: 'ptr',
  23: 'slice', 24: 'string', 25: 'struct',
};

interface GoType {
  kind: string;
  str: string;
  pkg?: string;
  full?: string;
  elem?: GoType;
  key?: GoType;
  fields?: { name: string; embedded: boolean; tag: string; type: GoType }[];
}

const seen = new Map<bigint, GoType>();

// Layout of abi.Type and its kind-specific tails for go1.23 on 64-bit.
function typeAt(addr: bigint): GoType {
  const cached = seen.get(addr);
  if (cached) return cached;
  const o = fileOffset(addr);
  const tflag = buf[o + 20];
  const kind = kindNames[buf[o + 23] & 0x1f] ?? 'other';
  let str = readName(typesBase + BigInt(buf.readInt32LE(o + 40))).name;
  if (tflag & 2) str = str.slice(1);
  const t: GoType = { kind, str };
  seen.set(addr, t);
  let tail = 48;
  if (kind === 'ptr' || kind === 'slice') { t.elem = typeAt(buf.readBigUInt64LE(o + 48)); tail = 56; }
  else if (kind === 'array') { t.elem = typeAt(buf.readBigUInt64LE(o + 48)); tail = 72; }
  else if (kind === 'map') { t.key = typeAt(buf.readBigUInt64LE(o + 48)); t.elem = typeAt(buf.readBigUInt64LE(o + 56)); tail = 88; }
  else if (kind === 'struct') tail = 80;
  else if (kind === 'interface') tail = 80;
  else if (kind === 'func') tail = 52;
  else if (kind === 'chan') tail = 64;
  if (tflag & 1) t.pkg = readName(typesBase + BigInt(buf.readInt32LE(o + tail))).name;
  if (t.pkg) t.full = `${t.pkg}.${str.slice(str.indexOf('.') + 1)}`;
  if (kind === 'struct' && t.pkg && (t.pkg.startsWith('k8s.io/api/') || t.pkg.startsWith('k8s.io/apimachinery/'))) {
    const fo = fileOffset(buf.readBigUInt64LE(o + 56));
    const n = Number(buf.readBigUInt64LE(o + 64));
    t.fields = [];
    for (let i = 0; i < n; i++) {
      const name = readName(buf.readBigUInt64LE(fo + i * 24));
      t.fields.push({ name: name.name, embedded: (name.flags & 8) !== 0, tag: name.tag ?? '', type: typeAt(buf.readBigUInt64LE(fo + i * 24 + 8)) });
    }
  }
  return t;
}

const byName = new Map<string, GoType>();
for (let i = 0; i < typelink.size / 4; i++) {
  try {
    typeAt(typesBase + BigInt(buf.readInt32LE(typelink.off + i * 4)));
  } catch {
    // a few typelinks point at types we do not need to understand
  }
}
for (const t of seen.values()) if (t.kind === 'struct' && t.fields && t.full) byName.set(t.full, t);

/** Short, stable id for a struct: "core/v1.PodSpec", "meta/v1.ObjectMeta", "runtime.Unknown". */
function id(full: string): string {
  return full.replace('k8s.io/api/', '').replace('k8s.io/apimachinery/pkg/apis/', '').replace('k8s.io/apimachinery/pkg/', '');
}

function tagValue(tag: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag);
  return m?.[1];
}

const needed = new Set<string>();
const out: Record<string, string[]> = {};

/** Type expression: *T, []T, map[K]V, ~[]T (named slice: a wrapper message), primitives, ids. */
function expr(t: GoType): string {
  if (t.kind === 'ptr') return '*' + expr(t.elem!);
  if (t.kind === 'slice') {
    if (t.elem!.kind === 'uint8') return 'bytes';
    // A named slice type (metav1.Verbs, authv1.ExtraValue) is a wrapper message {1: repeated}.
    return (t.pkg ? '~' : '') + '[]' + expr(t.elem!);
  }
  if (t.kind === 'map') return `map[${expr(t.key!)}]${expr(t.elem!)}`;
  if (t.kind === 'struct') {
    if (!t.full) throw new Error(`anonymous struct ${t.str}`);
    if (special[t.full]) return special[t.full];
    visit(t.full);
    return id(t.full);
  }
  if (t.kind === 'int') return 'int64';
  if (t.kind === 'uint') return 'uint64';
  if (['bool', 'int32', 'int64', 'uint32', 'uint64', 'float32', 'float64', 'string'].includes(t.kind)) return t.kind;
  throw new Error(`unsupported kind ${t.kind} (${t.str})`);
}

function visit(full: string): void {
  if (needed.has(full)) return;
  needed.add(full);
  const t = byName.get(full);
  if (!t?.fields) throw new Error(`struct ${full} not in the binary`);
  const rows: string[] = [];
  for (const f of t.fields) {
    const pb = tagValue(f.tag, 'protobuf');
    if (!pb || pb === '-') continue;
    const parts = pb.split(',');
    const num = parts[1];
    // EphemeralContainer's embedded EphemeralContainerCommon is tagged "bytes,1,req" with no name.
    const pbName = parts.find((p) => p.startsWith('name='))?.slice(5) ?? f.name[0].toLowerCase() + f.name.slice(1);
    const json = tagValue(f.tag, 'json');
    let jsonName: string;
    let omitempty = false;
    if (json === undefined) jsonName = f.embedded ? '' : f.name;
    else {
      const [n, ...opts] = json.split(',');
      if (n === '-') jsonName = '-';
      else jsonName = n === '' && !f.embedded ? f.name : n;
      omitempty = opts.includes('omitempty');
    }
    // Columns: number, proto name, json name ('' = inlined embedded struct, '-' = not in JSON), flags, type.
    rows.push([num, pbName, jsonName, omitempty ? 'o' : '', expr(f.type)].join(' '));
  }
  out[id(full)] = rows;
}

const kinds: Record<string, Record<string, string>> = {};
for (const [full, t] of byName) {
  const pkg = t.pkg!;
  const gv = packages[pkg];
  if (!gv) continue;
  if (!t.fields!.some((f) => f.embedded && f.type.full === 'k8s.io/apimachinery/pkg/apis/meta/v1.TypeMeta')) continue;
  visit(full);
  (kinds[gv] ??= {})[t.str.slice(t.str.indexOf('.') + 1)] = id(full);
}
visit('k8s.io/apimachinery/pkg/runtime.Unknown');

const sortedTypes = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
const sortedKinds = Object.fromEntries(
  Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b)).map(([gv, k]) => [gv, Object.fromEntries(Object.entries(k).sort(([a], [b]) => a.localeCompare(b)))]),
);
const target = fileURLToPath(new URL('../../../../src/api/protobuf/go-types.generated.ts', import.meta.url));
const lines = [
  '// GENERATED by test/api/protobuf/tools/extract-go-types.ts from kubectl 1.32\'s Go type data. Do not edit.',
  '// For each Go struct: one row per protobuf field — "number protoName jsonName flags type", where',
  '// jsonName "" means an inlined embedded struct and "-" means not serialized to JSON; flags "o" is',
  '// omitempty; type is a Go type expression (*T pointer, []T slice, ~[]T named slice = wrapper',
  '// message, map[K]V, bytes, primitives, special types, or another struct id).',
  `export const goStructs: Record<string, string[]> = ${JSON.stringify(sortedTypes, null, 1).replace(/\n\s*/g, '\n  ')};`,
  '',
  '/** apiVersion → kind → struct id, for every top-level kind of the decoded groups. */',
  `export const goKinds: Record<string, Record<string, string>> = ${JSON.stringify(sortedKinds, null, 1).replace(/\n\s*/g, '\n  ')};`,
  '',
];
writeFileSync(target, lines.join('\n'));
console.log(`wrote ${Object.keys(out).length} structs, ${Object.values(kinds).reduce((n, k) => n + Object.keys(k).length, 0)} kinds to ${target}`);
