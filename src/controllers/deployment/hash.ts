// The pod-template-hash (upstream controller.ComputeHash): fnv-32a over a deterministic printing
// of the template, then the collision count as 4 little-endian bytes, printed as a decimal and
// mapped onto a vowel-free alphabet (rand.SafeEncodeString) so it never spells words. The value is
// not byte-identical to upstream's (which hashes a Go spew dump) but is stable for equal templates.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

export const podTemplateHashLabel = 'pod-template-hash';

const safeAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * JSON with object keys sorted and empty maps/lists/undefined dropped: two templates that mean the
 * same on the wire (Go's omitempty drops empties) print the same.
 */
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? value.map(normalize) : undefined;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = normalize((value as Record<string, unknown>)[k]);
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return value === null ? undefined : value;
}

function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into the safe alphabet by its code. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += safeAlphabet[s.charCodeAt(i) % safeAlphabet.length];
  return out;
}

export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** Templates equal once each one's pod-template-hash label is ignored (upstream EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined) => {
    if (!t) return {};
    const labels = { ...(t.metadata?.labels ?? {}) };
    delete labels[podTemplateHashLabel];
    return { ...t, metadata: { ...t.metadata, labels } };
  };
  return canonicalJSON(strip(a)) === canonicalJSON(strip(b));
}
