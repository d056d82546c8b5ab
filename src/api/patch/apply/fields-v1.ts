// The FieldsV1 wire form of a FieldSet (metadata.managedFields[].fieldsV1): a JSON object whose
// keys are path elements ("f:", "k:", "v:", "i:"); `{}` marks a leaf and "." marks a node that is
// itself a member and also has members below it.
import { FieldSet } from './fieldset.js';
import { boundedMemo } from '../../bounded-memo.js';
import { elementKey, parseElementKey, type PathElement } from './path.js';

export type FieldsV1 = { [key: string]: FieldsV1 };

/**
 * Every leaf and "." mark of an encoded tree is this one frozen empty node (as the create fast
 * path writes them): FieldsV1 trees are only read once built, and live as long as their objects.
 */
const LEAF: FieldsV1 = Object.freeze({}) as FieldsV1;

/** A set and the canonical tree it was decoded from, whose unchanged subtrees an encoding may reuse. */
export interface EncodedSet {
  set: FieldSet;
  tree: FieldsV1;
}

/**
 * Encodes a set with keys in structured-merge-diff's order, so output is byte-identical. With
 * `from`, a subtree of `set` that is the very subtree of from.set (sets are immutable and
 * operations keep what they do not change) is written as from.tree's node for it.
 */
export function toFieldsV1(set: FieldSet, from?: EncodedSet): FieldsV1 {
  if (from && set === from.set) return from.tree;
  return encode(set, false, from?.set, from?.tree);
}

function encode(set: FieldSet, includeSelf: boolean, ref: FieldSet | undefined, refTree: FieldsV1 | undefined): FieldsV1 {
  const out: FieldsV1 = {};
  const entries = set.entries();
  if (includeSelf && entries.length > 0) out['.'] = LEAF;
  for (const { key, member, child } of entries) {
    if (!child) {
      out[key] = LEAF;
      continue;
    }
    // The node for (child, member) is the reference's when both are the same there.
    const refNode = ref && refTree ? refTree[key] : undefined;
    if (refNode !== undefined && ref?.withPrefixKey(key) === child && ref.hasMemberKey(key) === member) out[key] = refNode;
    else out[key] = encode(child, member, refNode ? ref?.withPrefixKey(key) : undefined, refNode);
  }
  return out;
}

// Keys parsed before, with their canonical form: the same keys ("f:status", 'k:{"type":"Ready"}')
// come up in every object's entries, and path elements are immutable, so they are shared.
// Bounded, since keys are not (a client's, label names).
const parsedKey = boundedMemo(4096, (k): { pe: PathElement; key: string } => {
  const pe = parseElementKey(k); // throws on a malformed key, which is then not kept
  // A key as read names the element when canonical; a client's that is not (key fields out
  // of order) is re-keyed the canonical way.
  return { pe, key: k.startsWith('f:') ? k : elementKey(pe) };
});

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
    const { pe, key } = parsedKey(k);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`value of ${JSON.stringify(k)} must be an object`);
    const keys = Object.keys(v);
    if (keys.length === 0 || keys.includes('.')) into.addMember(pe, key);
    if (keys.some((x) => x !== '.')) decode(v, into.child(pe, key), false);
  }
}

function isMemberNode(node: FieldsV1): boolean {
  if (Object.hasOwn(node, '.')) return true;
  for (const _ in node) return false;
  return true;
}

/**
 * True when a path is a member both of the set a valid `tree` decodes to and of `set`
 * (fromFieldsV1(tree).intersects(set)), read from the tree without decoding it.
 */
export function treeIntersects(tree: FieldsV1, set: FieldSet): boolean {
  return set.someEntry((key, member, child) => {
    if (!Object.hasOwn(tree, key)) return false;
    const node = tree[key];
    return (member && isMemberNode(node)) || (child !== undefined && treeIntersects(node, child));
  });
}
