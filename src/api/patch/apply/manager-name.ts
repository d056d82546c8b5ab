// The field manager recorded for a request that names none: the User-Agent up to its first
// '/', without unprintable characters, cut at 128 bytes (upstream prefixFromUserAgent).
// kubectl names itself explicitly for edit, client-side apply, etc.; other clients get e.g.
// "kubectl" from "kubectl/v1.32.0 (linux/amd64) kubernetes/abc".

/** Upstream's FieldManagerMaxLength. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

export function fieldManagerFor(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  const prefix = (userAgent ?? '').split('/')[0];
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and ASCII space.
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    const n = Buffer.byteLength(ch);
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}
