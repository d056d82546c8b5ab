// Turns a decoded protobuf message into exactly the JSON that upstream's Go would print for the
// same object: the API server decodes protobuf into Go structs and everything downstream sees
// those structs, whose JSON form is what a JSON client (kubectl --dry-run=client -o json) sends.
// encoding/json rules reproduced here:
// - a non-pointer scalar absent from the wire is its zero value; zero + omitempty is omitted,
//   otherwise emitted ("" / 0 / false). Go's marshaller writes every non-pointer field, so on
//   real traffic "absent" only happens for pointers, slices and maps.
// - a pointer is nil when absent (omitted with omitempty, else null) and kept when present,
//   even when it holds a zero value (replicas: 0, automountServiceAccountToken: false).
// - structs are always emitted (omitempty never applies to them): `status: {}`.
// - nil slices and maps are omitted with omitempty, else null.
// - []byte is base64; embedded structs tagged `json:",inline"` have their fields promoted.
// - metav1.Time → RFC3339 (null when zero), MicroTime → RFC3339 with 6 fractional digits,
//   Duration → Go duration string, IntOrString → number or string, Quantity → its (canonical)
//   string, RawExtension and FieldsV1 → the embedded JSON.
import { badRequest } from '../status.js';
import { structFields, fieldKey, type GoType, type ScalarName, type SpecialName } from './schema.js';

type Msg = Record<string, unknown>;

const has = (msg: Msg | undefined, key: string): boolean => msg !== undefined && Object.prototype.hasOwnProperty.call(msg, key);

/** JSON of Go struct `id` decoded into `msg` (undefined = the zero struct). */
export function structToJson(id: string, msg: Msg | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fillStruct(id, msg, out);
  return out;
}

function fillStruct(id: string, msg: Msg | undefined, out: Record<string, unknown>): void {
  for (const f of structFields(id)) {
    if (f.json === '-') continue;
    const key = fieldKey(f.num);
    const present = has(msg, key);
    const raw = present ? msg![key] : undefined;
    if (f.json === '') {
      // Inlined embedded struct (Volume's VolumeSource, Probe's ProbeHandler, …).
      const t = f.type.kind === 'ptr' ? f.type.elem : f.type;
      if (t.kind !== 'struct') throw new Error(`inline field of ${id} is not a struct`);
      if (f.type.kind === 'ptr' && !present) continue;
      fillStruct(t.id, raw as Msg | undefined, out);
      continue;
    }
    const value = fieldValue(f.type, present, raw, f.omitempty);
    if (value !== omit) out[f.json] = value;
  }
}

const omit = Symbol('omit');

function fieldValue(t: GoType, present: boolean, raw: unknown, omitempty: boolean): unknown {
  switch (t.kind) {
    case 'ptr':
      if (!present) return omitempty ? omit : null;
      return fieldValue(t.elem, true, raw, false);
    case 'slice': {
      const list = Array.isArray(raw) ? raw : [];
      if (list.length === 0) return omitempty ? omit : null;
      return list.map((item) => elemValue(t.elem, item));
    }
    case 'map': {
      const entries = raw && typeof raw === 'object' ? Object.entries(raw as Msg) : [];
      if (entries.length === 0) return omitempty ? omit : null;
      const obj: Record<string, unknown> = {};
      // defineProperty: a "__proto__" key must stay a key, not become the object's prototype.
      for (const [k, v] of entries) Object.defineProperty(obj, k, { value: elemValue(t.elem, v), enumerable: true, writable: true, configurable: true });
      return obj;
    }
    case 'scalar': {
      const v = scalarValue(t.name, present ? raw : undefined);
      if (omitempty && isZeroScalar(t.name, v)) return omit;
      return v;
    }
    case 'special':
      return specialValue(t.name, present ? (raw as Msg) : undefined);
    case 'struct':
      return structToJson(t.id, present ? (raw as Msg) : undefined);
    case 'wrapped': {
      const list = present ? (raw as Msg).f1 : undefined;
      if (!Array.isArray(list) || list.length === 0) return omitempty ? omit : null;
      return list.map((item) => elemValue(t.elem, item));
    }
  }
}

/** A list element or map value: always present, so a zero value is kept. */
function elemValue(t: GoType, raw: unknown): unknown {
  switch (t.kind) {
    case 'scalar':
      return scalarValue(t.name, raw);
    case 'special':
      return specialValue(t.name, raw as Msg);
    case 'struct':
      return structToJson(t.id, raw as Msg);
    case 'wrapped': {
      // A nil named slice inside a map (ExtraValue) is null; a present one is its items.
      const list = (raw as Msg | undefined)?.f1;
      return Array.isArray(list) && list.length > 0 ? list.map((item) => elemValue(t.elem, item)) : null;
    }
    default:
      throw new Error(`unsupported element type ${t.kind}`);
  }
}

function isZeroScalar(name: ScalarName, v: unknown): boolean {
  if (name === 'bytes') return v === null || v === '';
  return v === '' || v === 0 || v === false;
}

/** int64 values arrive as Long objects (protobufjs uses the long package when present). */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v && typeof v.toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return Number(v ?? 0);
}

function scalarValue(name: ScalarName, raw: unknown): unknown {
  switch (name) {
    case 'string':
      return typeof raw === 'string' ? raw : '';
    case 'bool':
      return raw === true;
    case 'bytes':
      // A nil []byte is null in Go's JSON; a present one (even empty) is base64.
      return raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') : null;
    case 'float32':
    case 'float64': {
      const n = toNumber(raw);
      // encoding/json refuses NaN and ±Inf: upstream fails the decode with an error too.
      if (!Number.isFinite(n)) throw badRequest(`json: unsupported value: ${n}`);
      return n;
    }
    default:
      return toNumber(raw);
  }
}

function specialValue(name: SpecialName, msg: Msg | undefined): unknown {
  switch (name) {
    case 'Time':
    case 'MicroTime': {
      const seconds = toNumber(msg?.f1);
      const nanos = toNumber(msg?.f2);
      // Go's zero time.Time (an empty message on the wire) marshals as null.
      if (seconds === 0 && nanos === 0) return null;
      return formatTime(seconds, nanos, name === 'MicroTime');
    }
    case 'Duration':
      return formatDuration(toNumber(msg?.f1));
    case 'Quantity':
      // The wire carries Quantity.String(), already canonical; the zero Quantity prints "0".
      return typeof msg?.f1 === 'string' && msg.f1 !== '' ? msg.f1 : '0';
    case 'IntOrString': {
      const type = toNumber(msg?.f1);
      if (type === 0) return toNumber(msg?.f2);
      if (type === 1) return typeof msg?.f3 === 'string' ? msg.f3 : '';
      throw badRequest(`impossible IntOrString.Type: ${type}`);
    }
    case 'RawExtension':
    case 'FieldsV1': {
      const raw = msg?.f1;
      if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
      const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw badRequest(`embedded ${name === 'FieldsV1' ? 'fieldsV1' : 'object'} is not valid JSON`);
      }
    }
  }
}

/** RFC3339 in UTC, as metav1.Time (seconds) and metav1.MicroTime (microseconds) marshal. */
export function formatTime(seconds: number, nanos: number, micro: boolean): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw badRequest(`time out of range: ${seconds}s`);
  }
  const base = date.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  const micros = Math.floor(Math.max(0, nanos) / 1000) % 1_000_000;
  return `${base}.${String(micros).padStart(6, '0')}Z`;
}

/** time.Duration.String(): "1h2m3.5s", "150ms", "2µs", "0s". */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e9) {
    // Below one second Go picks the largest unit that keeps the integer part non-zero.
    const [unit, scale] = n < 1e3 ? ['ns', 1] : n < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(n / scale)}${unit}`;
  }
  const hours = Math.floor(n / 3600e9);
  n -= hours * 3600e9;
  const minutes = Math.floor(n / 60e9);
  n -= minutes * 60e9;
  const secs = trimFraction(n / 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${secs}s`;
  if (minutes > 0) return `${sign}${minutes}m${secs}s`;
  return `${sign}${secs}s`;
}

function trimFraction(v: number): string {
  return v.toFixed(9).replace(/\.?0+$/, '');
}
