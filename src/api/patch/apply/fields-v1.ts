// The FieldsV1 wire form of a FieldSet (metadata.managedFields[].fieldsV1): a JSON object whose
// keys are path elements ("f:", "k:", "v:", "i:"); `{}` marks a leaf and "." marks a node that is
// itself a member and also has members below it.
import { FieldSet } from './fieldset.js';
import { elementKey, parseElementKey } from './path.js';

export type FieldsV1 = { [key: string]: FieldsV1 };

/** Encodes a set with keys in structured-merge-diff's order, so output is byte-identical. */
export function toFieldsV1(set: FieldSet): FieldsV1 {
  return encode(set, false);
}

function encode(set: FieldSet, includeSelf: boolean): FieldsV1 {
  const out: FieldsV1 = {};
  const entries = set.entries();
  if (includeSelf && entries.length > 0) out['.'] = {};
  for (const { pe, member, child } of entries) out[elementKey(pe)] = child ? encode(child, member) : {};
  return out;
}

/** Decodes fieldsV1; throws an Error naming the bad key on malformed input. */
export function fromFieldsV1(obj: unknown): FieldSet {
  const set = new FieldSet();
  decode(obj, set, true);
  return set;
}

function decode(obj: unknown, into: FieldSet, top: boolean): void {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('fieldsV1 must be a JSON object');
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === '.') {
      if (top) throw new Error('"." is not allowed at the top level of fieldsV1');
      continue; // handled by the parent, which saw it in v
    }
    const pe = parseElementKey(k);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`value of ${JSON.stringify(k)} must be an object`);
    const keys = Object.keys(v);
    if (keys.length === 0 || keys.includes('.')) into.insert([pe]);
    if (keys.some((x) => x !== '.')) decode(v, into.child(pe), false);
  }
}
