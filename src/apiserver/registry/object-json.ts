// Each stored object is serialized once. A write serializes the object for storage (without
// resourceVersion, which is the storage revision); once the revision is known the same text,
// with resourceVersion spliced into metadata, is the object's JSON for the response, the watch
// fan-out and every later LIST. Objects read back from storage get their text on first use.
//
// Contract: only objects that are never mutated again may have a text (the watch cache's shared
// objects, and a write's result once stored); the text is held weakly, as long as the object.
import type { KubeObject, StoredObject } from '../../api/object.js';

const texts = new WeakMap<object, string>();

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
    let json: string | undefined;
    if (k === 'metadata' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const meta = v as Record<string, unknown>;
      if (meta.resourceVersion === undefined) json = JSON.stringify(meta);
      else {
        const { resourceVersion: _rv, ...rest } = meta;
        json = JSON.stringify(rest);
      }
      if (text.length > 1) text += ',';
      text += '"metadata":' + json;
      metaEnd = text.length - 1;
      continue;
    }
    json = JSON.stringify(v);
    if (json === undefined) continue;
    if (text.length > 1) text += ',';
    text += JSON.stringify(k) + ':' + json;
  }
  return { text: text + '}', metaEnd };
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
  texts.set(obj, text);
}

/** The JSON text of an object: the remembered one, else serialized now (not remembered: it may still change). */
export function objectJSON(obj: KubeObject): string {
  return texts.get(obj) ?? JSON.stringify(obj);
}

/** The JSON text of a shared, unchanging object (from the watch cache), remembered for next time. */
export function sharedObjectJSON(obj: StoredObject): string {
  let t = texts.get(obj);
  if (t === undefined) {
    t = JSON.stringify(obj);
    texts.set(obj, t);
  }
  return t;
}
