// Each stored object is serialized once. A write serializes the object for storage (without
// resourceVersion, which is the storage revision); once the revision is known the same text,
// with resourceVersion spliced into metadata, is the object's JSON for the response, the watch
// fan-out and every later LIST. Objects read back from storage get their text on first use.
//
// Contract: only objects that are never mutated again may have a text (the watch cache's shared
// objects, and a write's result once stored); the text lives as long as the object.
import type { KubeObject, StoredObject } from '../../api/object.js';
import { boundedMemo } from '../../api/bounded-memo.js';

/**
 * Where an object's text is kept: a private field stamped onto the object itself (the base
 * constructor returns the object it is given, so the subclass's field lands on it). It is as
 * invisible as an entry of a WeakMap keyed by the object — not an own key, not serialized, not
 * compared by isDeepStrictEqual, not copied by spreads or structuredClone — but costs a
 * property store instead of an insertion into an ever-growing ephemeron table that every
 * garbage collection must walk (measured: a WeakMap set took ~2 µs per stored object).
 */
class Stamp {
  constructor(obj: object) {
    return obj;
  }
}

class TextStamp extends Stamp {
  #text: string;

  private constructor(obj: object, text: string) {
    super(obj);
    this.#text = text;
  }

  static set(obj: object, text: string): void {
    if (#text in obj) (obj as TextStamp).#text = text;
    else new TextStamp(obj, text);
  }

  static get(obj: object): string | undefined {
    return #text in obj ? (obj as TextStamp).#text : undefined;
  }
}

/** The stored form of an object, and where its metadata object ends (-1: no metadata object). */
export interface StoredText {
  text: string;
  /** Index of the closing brace of metadata in `text`. */
  metaEnd: number;
}

/**
 * The stored form: the object's JSON without metadata.resourceVersion (derived from the storage
 * revision on read). The same text JSON.stringify gives for such an object, built key by key so
 * that the end of metadata is known.
 */
export function storedText(obj: KubeObject): StoredText {
  let text = '{';
  let metaEnd = -1;
  for (const k of Object.keys(obj)) {
    const v = (obj as Record<string, unknown>)[k];
    if (k === 'metadata' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      text = withMember(text, k, metadataJSON(v as Record<string, unknown>, true));
      metaEnd = text.length - 1;
    } else {
      text = withMember(text, k, valueJSON(v));
    }
  }
  return { text: text + '}', metaEnd };
}

// ---- managedFields trees shared by many objects ------------------------------------------------
//
// The FieldsV1 trees of creates and binds are shared, deeply frozen, by every object of one shape
// (create-managed-fields.ts, bind-managed-fields.ts); in a pod's JSON the tree is a third of the
// text and most of JSON.stringify's time (many small keys, escaped quotes). Objects that hold
// such a tree are encoded key by key down to it, and the tree's text is encoded once and reused.
// The result is exactly JSON.stringify's (object-json.test.ts compares them).

const treeTexts = new WeakMap<object, string>();

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** Frozen, and so is everything below it: its text can never change. */
function isDeeplyFrozen(t: object): boolean {
  if (!Object.isFrozen(t)) return false;
  for (const k in t) {
    const v = (t as Record<string, unknown>)[k];
    if (v !== null && typeof v === 'object' && !isDeeplyFrozen(v)) return false;
  }
  return true;
}

/** The text of a shared (deeply frozen) tree, encoded once; undefined for any other value. */
function sharedTreeText(t: unknown): string | undefined {
  if (t === null || typeof t !== 'object' || !Object.isFrozen(t)) return undefined;
  let text = treeTexts.get(t);
  if (text === undefined) {
    if (!isDeeplyFrozen(t)) return undefined;
    text = JSON.stringify(t);
    treeTexts.set(t, text);
  }
  return text;
}

/**
 * Below this much shared tree text, encoding key by key costs more than it saves (measured in
 * instructions: each JSON.stringify call has a fixed cost of about a dozen characters' worth;
 * an Event's tree of ~100 characters loses, a pod's of ~400 wins).
 */
const minSharedText = 256;

function holdsSharedTree(managedFields: unknown): managedFields is unknown[] {
  if (!Array.isArray(managedFields)) return false;
  let shared = 0;
  for (let i = 0; i < managedFields.length; i++) {
    const e: unknown = managedFields[i];
    if (isPlainObject(e)) shared += sharedTreeText(e.fieldsV1)?.length ?? 0;
  }
  return shared >= minSharedText;
}

/** JSON.stringify(v), without its per-call cost for a string that needs no escapes (most field values). */
function valueJSON(v: unknown): string | undefined {
  return typeof v === 'string' && !needsEscape.test(v) ? `"${v}"` : JSON.stringify(v);
}
// What JSON.stringify escapes in a string: quotes, backslashes, control characters, surrogates
// (lone ones are escaped; a pair is not, but its test here only sends it the long way).
const needsEscape = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A key as JSON: keys repeat across objects (name, namespace, manager, ...). */
const keyJSON = boundedMemo(4096, (k) => JSON.stringify(k));

/**
 * An object's text so far (from its "{") with the member `k` appended; unchanged when `json` is
 * undefined, as JSON.stringify leaves out members whose value has no JSON.
 */
function withMember(text: string, k: string, json: string | undefined): string {
  if (json === undefined) return text;
  return (text.length > 1 ? text + ',' : text) + keyJSON(k) + ':' + json;
}

/** JSON.stringify of a managedFields list whose trees may be shared. */
function managedFieldsJSON(list: unknown[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ',';
    const e: unknown = list[i];
    if (!isPlainObject(e)) {
      out += JSON.stringify(e) ?? 'null';
      continue;
    }
    let entry = '{';
    for (const k of Object.keys(e)) {
      const v = e[k];
      entry = withMember(entry, k, (k === 'fieldsV1' ? sharedTreeText(v) : undefined) ?? valueJSON(v));
    }
    out += entry + '}';
  }
  return out + ']';
}

/** JSON.stringify of metadata (without resourceVersion if `withoutRV`). */
function metadataJSON(meta: Record<string, unknown>, withoutRV: boolean): string {
  const managedFields = meta.managedFields;
  if (!isPlainObject(meta) || !holdsSharedTree(managedFields)) {
    if (!withoutRV || meta.resourceVersion === undefined) return JSON.stringify(meta);
    const { resourceVersion: _rv, ...rest } = meta;
    return JSON.stringify(rest);
  }
  let out = '{';
  for (const k of Object.keys(meta)) {
    if (withoutRV && k === 'resourceVersion') continue;
    out = withMember(out, k, k === 'managedFields' ? managedFieldsJSON(managedFields) : valueJSON(meta[k]));
  }
  return out + '}';
}

/** JSON.stringify(obj), reusing the text of a shared managedFields tree in its metadata. */
export function encodeObject(obj: KubeObject): string {
  const meta: unknown = obj.metadata;
  if (!isPlainObject(obj) || !isPlainObject(meta) || !holdsSharedTree(meta.managedFields)) return JSON.stringify(obj);
  let text = '{';
  for (const k of Object.keys(obj)) {
    text = withMember(text, k, k === 'metadata' ? metadataJSON(meta, false) : valueJSON((obj as Record<string, unknown>)[k]));
  }
  return text + '}';
}

/** The object's JSON once stored at `resourceVersion`: resourceVersion becomes metadata's last field. */
export function withResourceVersion(stored: StoredText, resourceVersion: string): string | undefined {
  const { text, metaEnd } = stored;
  if (metaEnd < 0) return undefined;
  const sep = text.charCodeAt(metaEnd - 1) === 123 /* { */ ? '' : ',';
  return `${text.slice(0, metaEnd)}${sep}"resourceVersion":${JSON.stringify(resourceVersion)}${text.slice(metaEnd)}`;
}

/** Records the JSON text of an object that will not change again. */
export function rememberJSON(obj: StoredObject, text: string): void {
  TextStamp.set(obj, text);
}

/** The JSON text of an object: the remembered one, else serialized now (not remembered: it may still change). */
export function objectJSON(obj: KubeObject): string {
  return TextStamp.get(obj) ?? encodeObject(obj);
}

/** The JSON text of a shared, unchanging object (from the watch cache), remembered for next time. */
export function sharedObjectJSON(obj: StoredObject): string {
  let t = TextStamp.get(obj);
  if (t === undefined) {
    t = encodeObject(obj);
    TextStamp.set(obj, t);
  }
  return t;
}
