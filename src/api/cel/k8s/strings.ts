// The functions of cel-go's strings extension (version 2, what Kubernetes 1.29+ enables) that
// cel-js does not have: charAt, replace, format and strings.quote. The others (indexOf and
// lastIndexOf with offsets, lowerAscii, upperAscii, split, substring, trim, join) are cel-js's own.
// Indexes count code points, as cel-go counts runes.
import type { Environment } from '@marcbachmann/cel-js';
import { libraryError } from '../library.js';
import { formatString } from './string-format.js';
import { defineNamespace, listItems } from './runtime.js';

function charAt(s: string, index: bigint): string {
  const chars = [...s];
  if (index < 0n || index > BigInt(chars.length)) throw libraryError(`index out of range: ${index}`);
  return chars[Number(index)] ?? '';
}

/** Go's strings.Replace: the first n matches (all when n < 0); "" matches around every character. */
function replace(s: string, old: string, by: string, limit: bigint = -1n): string {
  const n = limit < 0n ? -1 : Number(limit);
  if (old === by || n === 0) return s;
  if (old === '') {
    const chars = [...s];
    const count = n < 0 || n > chars.length + 1 ? chars.length + 1 : n;
    let out = by;
    for (let i = 1; i < count; i++) out += chars[i - 1] + by;
    return out + chars.slice(count - 1).join('');
  }
  const parts = s.split(old);
  const matches = parts.length - 1;
  const count = n < 0 || n > matches ? matches : n;
  const head = parts.slice(0, count + 1).join(by);
  return count < matches ? `${head}${old}${parts.slice(count + 1).join(old)}` : head;
}

const quoted: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/** strings.quote: double quotes, CEL escapes for the characters that have one, invalid text as U+FFFD. */
function quote(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    out += quoted[ch] ?? (code >= 0xd800 && code <= 0xdfff ? '\ufffd' : ch);
  }
  return `"${out}"`;
}

function format(s: string, args: unknown): string {
  try {
    return formatString(s, listItems(args));
  } catch (err) {
    throw libraryError(err instanceof Error ? err.message : String(err));
  }
}

export function registerStrings(env: Environment): void {
  env.registerFunction('string.charAt(int): string', charAt);
  env.registerFunction('string.replace(string, string): string', (s: string, old: string, by: string) => replace(s, old, by));
  env.registerFunction('string.replace(string, string, int): string', replace);
  env.registerFunction('string.format(list): string', format);
  defineNamespace(env, 'strings', 'kubernetes.StringsFunctions');
  env.registerFunction('kubernetes.StringsFunctions.quote(string): string', (_: unknown, s: string) => quote(s));
}
