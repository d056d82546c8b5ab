// Revision hashing (upstream controller/history and util/rand): a ControllerRevision is named
// `<parent>-<hash>`, the hash being FNV-1 32 over the revision's data (plus the collision count
// when there was a collision), printed in decimal and mapped onto upstream's "safe" alphabet (no
// vowels, no 0/1/3, so no words and no look-alikes).

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream rand.SafeEncodeString: each character mapped by its code onto the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

/** FNV-1 (not 1a) 32-bit over bytes, as Go's hash/fnv New32. */
export function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/** JSON with object keys sorted, so equal data hashes (and compares) equal whatever the key order. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
}

/** The hash of revision data with an optional collision count (upstream HashControllerRevision). */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(canonicalJSON(data)));
  if (collisionCount !== undefined && collisionCount !== null) h = fnv32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** `<prefix>-<hash>`, the prefix cut so the name fits 253 characters (upstream ControllerRevisionName). */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}
