// RE2 patterns (Go's regexp, which upstream's find and findAll use) as JavaScript RegExps. The two
// agree on most syntax; the translation covers where they differ: RE2's `.` stops only at "\n",
// its `\s` is ASCII space, `\A`, `\z`, `\Q…\E`, `(?P<name>…)`, POSIX classes like `[[:alpha:]]`,
// octal escapes, and `\pL` for Unicode classes. What RE2 rejects (lookaround, backreferences, repeat
// counts over 1000, unknown escapes) is rejected here too. The RegExp runs in Unicode mode, so that
// it matches code points as RE2 matches runes. Not supported: flags other than one leading
// `(?ims)` group (RE2 also allows `(?i:…)` groups and flags mid-pattern), `(?U)`, negated POSIX
// classes and `\C`.
import { boundedMemo } from '../../bounded-memo.js';

const syntaxError = (msg: string) => new Error(`error parsing regexp: ${msg}`);

const hex = (code: number) => (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`);

// Written as escapes so that the class is valid in Unicode mode.
const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\x2f:-@\\x5b-\\x60\\x7b-~',
  space: '\\t\\n\\x0b\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const generalCategories = new Set('Any L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn'.split(' '));
const isPunct = (c: string) => /^[!-/:-@[-`{-~]$/.test(c);
const isOctal = (c: string | undefined) => c !== undefined && c >= '0' && c <= '7';

/** `\p{Greek}` is a script in RE2, `\p{Script=Greek}` in JavaScript; categories keep their names. */
function unicodeClass(p: string, i: number): [string, number] {
  const negated = p[i + 1] === 'P';
  let name: string;
  let len: number;
  if (p[i + 2] === '{') {
    const end = p.indexOf('}', i + 3);
    if (end < 0) throw syntaxError(`invalid character class range: \`${p.slice(i)}\``);
    name = p.slice(i + 3, end);
    len = end + 1 - i;
  } else {
    name = p[i + 2] ?? '';
    len = 3;
  }
  let neg = negated;
  if (name.startsWith('^')) {
    neg = !neg;
    name = name.slice(1);
  }
  if (!/^[A-Za-z_]+$/.test(name)) throw syntaxError(`invalid character class range: \`${p.slice(i, i + len)}\``);
  return [`\\${neg ? 'P' : 'p'}{${generalCategories.has(name) ? name : `Script=${name}`}}`, len];
}

/** One escape sequence at p[i] (a backslash): its JavaScript text and how many characters it took. */
function escape(p: string, i: number, inClass: boolean): [string, number] {
  const c = p[i + 1];
  if (c === undefined) throw syntaxError('trailing backslash at end of expression: ``');
  const bad = () => syntaxError(`invalid escape sequence: \`\\${c}\``);
  if (isPunct(c)) return [hex(c.charCodeAt(0)), 2];
  switch (c) {
    case 'a':
      return ['\\x07', 2];
    case 'f':
    case 't':
    case 'n':
    case 'r':
    case 'v':
    case 'd':
    case 'D':
    case 'w':
    case 'W':
      return [`\\${c}`, 2];
    case 's':
      return [inClass ? '\\t\\n\\f\\r ' : '[\\t\\n\\f\\r ]', 2];
    case 'S':
      // Inside a class JavaScript's \S (not Unicode space) stands in for RE2's (not ASCII space).
      return [inClass ? '\\S' : '[^\\t\\n\\f\\r ]', 2];
    case 'b':
    case 'B':
      if (inClass) throw bad();
      return [`\\${c}`, 2];
    case 'A':
      if (inClass) throw bad();
      return ['(?<![\\s\\S])', 2];
    case 'z':
      if (inClass) throw bad();
      return ['(?![\\s\\S])', 2];
    case 'p':
    case 'P':
      return unicodeClass(p, i);
    case 'Q': {
      const end = p.indexOf('\\E', i + 2);
      const literal = p.slice(i + 2, end < 0 ? p.length : end);
      return [[...literal].map((ch) => (/^[\p{L}\p{N}\s]$/u.test(ch) ? ch : hex(ch.codePointAt(0)!))).join(''), (end < 0 ? p.length : end + 2) - i];
    }
    case 'x': {
      const braced = /^\{([0-9A-Fa-f]{1,8})\}/.exec(p.slice(i + 2));
      if (braced) {
        const code = parseInt(braced[1], 16);
        if (code > 0x10ffff) throw syntaxError(`invalid escape sequence: \`${p.slice(i, i + 3 + braced[0].length - 1)}\``);
        return [hex(code), 2 + braced[0].length];
      }
      if (/^[0-9A-Fa-f]{2}/.test(p.slice(i + 2))) return [`\\x${p.slice(i + 2, i + 4)}`, 4];
      throw syntaxError(`invalid escape sequence: \`${p.slice(i, i + 4)}\``);
    }
  }
  // Octal: \0 and up to two more digits, or \1-\7 followed by another octal digit (a lone \1 would
  // be a backreference, which RE2 does not have).
  if (isOctal(c) && (c === '0' || isOctal(p[i + 2]))) {
    let j = i + 2;
    while (j < i + 4 && isOctal(p[j])) j++;
    return [hex(parseInt(p.slice(i + 1, j), 8)), j - i];
  }
  throw bad();
}

interface Translated {
  source: string;
  flags: string;
}

function translate(p: string): Translated {
  let flags = 'gu';
  let dotAll = false;
  let i = 0;
  const lead = /^\(\?([ims]+)\)/.exec(p);
  if (lead) {
    if (lead[1].includes('i')) flags += 'i';
    if (lead[1].includes('m')) flags += 'm';
    dotAll = lead[1].includes('s');
    i = lead[0].length;
  }
  let out = '';
  let inClass = false;
  while (i < p.length) {
    const c = p[i];
    if (c === '\\') {
      const [text, len] = escape(p, i, inClass);
      out += text;
      i += len;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i));
        if (m && !posixClasses[m[2]]) throw syntaxError(`invalid character class range: \`${m[0]}\``);
        if (m && m[1]) throw syntaxError(`negated POSIX classes are not supported: \`${m[0]}\``);
        if (m) {
          out += posixClasses[m[2]];
          i += m[0].length;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    switch (c) {
      case '[': {
        inClass = true;
        out += '[';
        i++;
        if (p[i] === '^') {
          out += '^';
          i++;
        }
        // A ']' first in a class is a literal in RE2, the end of an empty class in JavaScript.
        if (p[i] === ']') {
          out += '\\]';
          i++;
        }
        continue;
      }
      case '.':
        out += dotAll ? '[\\s\\S]' : '[^\\n]';
        i++;
        continue;
      case '(': {
        const rest = p.slice(i, i + 4);
        if (rest[1] !== '?') break;
        if (rest.startsWith('(?P<')) {
          out += '(?<';
          i += 4;
          continue;
        }
        if (rest.startsWith('(?:') || (rest.startsWith('(?<') && rest[3] !== '=' && rest[3] !== '!')) {
          out += rest.slice(0, 3);
          i += 3;
          continue;
        }
        if (/^\(\?[imsU-]/.test(rest)) throw syntaxError(`flags other than a leading (?ims) are not supported: \`${rest.slice(0, 3)}\``);
        throw syntaxError(`invalid or unsupported Perl syntax: \`${rest.slice(0, rest[2] === '<' ? 4 : 3)}\``);
      }
      case '{': {
        const m = /^\{(\d+)(?:,(\d*))?\}/.exec(p.slice(i));
        if (!m) {
          out += '\\{';
          i++;
          continue;
        }
        if (Number(m[1]) > 1000 || (m[2] && Number(m[2]) > 1000) || (m[2] && Number(m[2]) < Number(m[1]))) throw syntaxError(`invalid repeat count: \`${m[0]}\``);
        out += m[0];
        i += m[0].length;
        continue;
      }
      case '}':
      case ']':
        out += `\\${c}`;
        i++;
        continue;
    }
    out += c;
    i++;
  }
  return { source: out, flags };
}

function compile(pattern: string): RegExp {
  const { source, flags } = translate(pattern);
  try {
    return new RegExp(source, flags);
  } catch (err) {
    // "Invalid regular expression: /…/gu: Unterminated group": the reason is after the last colon.
    const msg = err instanceof Error ? err.message : String(err);
    throw syntaxError(msg.slice(msg.lastIndexOf(': ') + 2));
  }
}

/** The RegExp (global, Unicode) for an RE2 pattern; throws "error parsing regexp: …". */
export const compileRE2 = boundedMemo(256, compile);
