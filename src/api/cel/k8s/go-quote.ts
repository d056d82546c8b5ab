// Go's strconv.Quote, which upstream's error messages and string.format's %s of lists use: a double-
// quoted string with Go escapes for what Go does not print (unicode.IsPrint: letters, marks,
// numbers, punctuation, symbols and the ASCII space).
const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (printable.test(ch)) out += ch;
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    // A lone surrogate is invalid UTF-8, which Go prints as the replacement character.
    else if (code >= 0xd800 && code <= 0xdfff) out += '\ufffd';
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
