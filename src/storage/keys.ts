// Key-range helpers shared by the storage backends. Keys are compared bytewise on their UTF-8
// encoding (as etcd and SQLite's BINARY collation do). For valid UTF-8, code-point order equals
// byte order, so ranges can be computed on code points without encoding to bytes.

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when no
 * such bound exists (empty prefix, or a prefix made only of U+10FFFF). Keys k with
 * prefix <= k < prefixEnd(prefix) are exactly the keys that start with prefix.
 */
export function prefixEnd(prefix: string): string | undefined {
  const cps = Array.from(prefix, (c) => c.codePointAt(0) as number);
  while (cps.length > 0) {
    let last = (cps.pop() as number) + 1;
    if (last > 0x10ffff) continue; // carry into the previous code point
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000; // surrogates are not characters
    cps.push(last);
    return String.fromCodePoint(...cps);
  }
  return undefined;
}

/** Bytewise (UTF-8) comparison, for code that sorts keys outside the database. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
