// client-go's JSONPath template parser (k8s.io/client-go/util/jsonpath/parser.go), rule for rule
// and with its error messages: a CRD is served by what this accepts, so its quirks are kept —
// ['a.b'] is the two fields a and b (write a\.b for a dotted key), ["x"] is not a field, a filter
// operator is any run of ! < > = (an unknown one fails only when evaluated), and text after a
// '}' in a CRD column's path is template text.
import type { ListNode, Node, ParsedPath, SliceParam } from './nodes.js';

const EOF = -1;
const leftDelim = '{';
const rightDelim = '}';

const dictKeyRe = /^'([^']*)'$/;
const sliceRe = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/;
// Go's `.` matches anything but a newline, which a filter can never hold.
const filterRe = /^([^!<>=]+)([!<>=]+)([^\n]+?)$/;
const intRe = /^[+-]?[0-9]+$/;
const floatRe = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** Parses a whole template: text with `{...}` actions. */
export function parseTemplate(text: string): ParsedPath {
  return { source: text, nodes: new Parser(text).parse() };
}

/** The action list of `{text}`, as the parser's parseAction helper builds unions and filters. */
function parseAction(text: string): ListNode {
  return new Parser(`${leftDelim}${text}${rightDelim}`).parse()[0] as ListNode;
}

class Parser {
  private pos = 0;
  private start = 0;
  private width = 0;

  constructor(private readonly input: string) {}

  parse(): Node[] {
    const root: Node[] = [];
    // parseText: text up to the next '{', then one action up to its '}', until the input ends.
    for (;;) {
      const open = this.input.indexOf(leftDelim, this.pos);
      if (open < 0) {
        this.pos = this.input.length;
        if (this.pos > this.start) root.push({ kind: 'text', text: this.consume() });
        return root;
      }
      this.pos = open;
      if (this.pos > this.start) root.push({ kind: 'text', text: this.consume() });
      this.pos += leftDelim.length;
      this.consume();
      const action: ListNode = { kind: 'list', nodes: [] };
      root.push(action);
      this.parseInsideAction(action);
    }
  }

  private consume(): string {
    const value = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return value;
  }

  private next(): number {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos) ?? EOF;
    this.width = r > 0xffff ? 2 : 1;
    this.pos += this.width;
    return r;
  }

  private backup(): void {
    this.pos -= this.width;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private at(prefix: string): boolean {
    return this.input.startsWith(prefix, this.pos);
  }

  /** Tokens of one action, each appended to `cur`, until its '}' is consumed. */
  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      if (this.at(rightDelim)) {
        this.pos += rightDelim.length;
        this.consume();
        return;
      }
      if (this.at('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (this.at('..')) {
        this.parseRecursive(cur);
        continue;
      }
      const r = this.next();
      if (r === EOF || isEndOfLine(r)) throw new Error('unclosed action');
      if (r === 0x20 || r === 0x40 /* @ */ || r === 0x24 /* $ */) {
        // A space, or the current or root object: nothing to evaluate.
        this.consume();
      } else if (r === 0x5b /* [ */) {
        this.parseArray(cur);
      } else if (r === 0x22 || r === 0x27) {
        this.parseQuote(cur, r);
      } else if (r === 0x2e /* . */) {
        this.parseField(cur);
      } else if (r === 0x2b || r === 0x2d || isDigit(r)) {
        this.backup();
        this.parseNumber(cur);
      } else if (isAlphaNumeric(r)) {
        this.backup();
        this.parseIdentifier(cur);
      } else {
        throw new Error(`unrecognized character in action: ${goQuotedRune(r)}`);
      }
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      if (isTerminator(this.next())) {
        this.backup();
        break;
      }
    }
    const value = this.consume();
    cur.nodes.push(value === 'true' || value === 'false' ? { kind: 'bool', value: value === 'true' } : { kind: 'identifier', name: value });
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes.at(-1)?.kind === 'recursive') throw new Error('invalid multiple recursive descent');
    this.pos += 2;
    this.consume();
    cur.nodes.push({ kind: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    const sign = this.peek();
    if (sign === 0x2b || sign === 0x2d) this.next();
    for (;;) {
      const r = this.next();
      if (r !== 0x2e && !isDigit(r)) {
        this.backup();
        break;
      }
    }
    const value = this.consume();
    // strconv.Atoi first (an int64), then ParseFloat.
    if (intRe.test(value)) {
      const big = BigInt(value);
      if (big >= int64Min && big <= int64Max) {
        cur.nodes.push({ kind: 'int', value: Number(big) });
        return;
      }
    }
    if (floatRe.test(value)) {
      cur.nodes.push({ kind: 'float', value: Number(value) });
      return;
    }
    throw new Error(`cannot parse number ${value}`);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new Error('unterminated array');
      if (r === 0x5d /* ] */) break;
    }
    let text = this.consume().slice(1, -1);
    if (text === '*') text = ':';

    const parts = text.split(',');
    if (parts.length > 1) {
      cur.nodes.push({ kind: 'union', branches: parts.map((part) => parseAction(`[${trimSpaces(part)}]`)) });
      return;
    }

    const key = dictKeyRe.exec(text);
    if (key) {
      cur.nodes.push(...parseAction(`.${key[1]}`).nodes);
      return;
    }

    const slice = sliceRe.exec(text);
    if (!slice) throw new Error(`invalid array index ${text}`);
    const params: SliceParam[] = [];
    for (let i = 0; i < 3; i++) {
      let part = slice[i + 1] ?? '';
      if (part !== '') {
        if (i > 0) part = part.slice(1);
        if (i > 0 && part === '') {
          params.push({ value: 0, known: false, derived: false });
        } else {
          params.push({ value: atoi(part), known: true, derived: false });
        }
      } else if (i === 1) {
        // `[i]` selects i..i+1; the end is remembered as derived so `[-1]` can wrap to the length.
        params.push({ value: params[0].value + 1, known: true, derived: true });
      } else {
        params.push({ value: 0, known: false, derived: false });
      }
    }
    cur.nodes.push({ kind: 'array', params: [params[0], params[1], params[2]] });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consume();
    let begin = false;
    let end = false;
    let pair = 0;
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new Error('unterminated filter');
      if (r === 0x22 || r === 0x27) {
        if (!begin) {
          begin = true;
          pair = r;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && r === pair) end = true;
      } else if (r === 0x29 /* ) */ && begin === end) {
        // Quotes, if any, appear once on the right and must be closed before the ')'.
        break;
      }
    }
    if (this.next() !== 0x5d) throw new Error('unclosed array expect ]');
    const text = this.consume().slice(0, -2);
    const m = filterRe.exec(text);
    if (!m) {
      cur.nodes.push({ kind: 'filter', left: parseAction(text), right: { kind: 'list', nodes: [] }, operator: 'exists' });
    } else {
      cur.nodes.push({ kind: 'filter', left: parseAction(m[1]), right: parseAction(m[3]), operator: m[2] });
    }
  }

  private parseQuote(cur: ListNode, quote: number): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || r === 0x0a) throw new Error('unterminated quoted string');
      if (r === quote && this.input[this.pos - 2] !== '\\') break;
    }
    const value = this.consume();
    let text: string;
    try {
      text = unquoteExtend(value);
    } catch (err) {
      throw new Error(`unquote string ${value} error ${(err as Error).message}`);
    }
    cur.nodes.push({ kind: 'text', text });
  }

  /** A field name after '.', up to the next unescaped terminator; backslashes are dropped. */
  private parseField(cur: ListNode): void {
    this.consume();
    while (this.advance());
    const value = this.consume();
    cur.nodes.push(value === '*' ? { kind: 'wildcard' } : { kind: 'field', name: value.replaceAll('\\', '') });
  }

  private advance(): boolean {
    const r = this.next();
    if (r === 0x5c /* \ */) {
      this.next();
    } else if (isTerminator(r)) {
      this.backup();
      return false;
    }
    return true;
  }
}

function atoi(text: string): number {
  if (/^-?[0-9]+$/.test(text)) {
    const big = BigInt(text);
    if (big >= int64Min && big <= int64Max) return Number(big);
  }
  throw new Error(`array index ${text} is not a number`);
}

const trimSpaces = (s: string) => s.replace(/^ +| +$/g, '');

const digitRe = /^\p{Nd}$/u;
const letterRe = /^\p{L}$/u;
const printableRe = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function isDigit(r: number): boolean {
  return r >= 0 && digitRe.test(String.fromCodePoint(r));
}

function isAlphaNumeric(r: number): boolean {
  return r === 0x5f || (r >= 0 && (letterRe.test(String.fromCodePoint(r)) || digitRe.test(String.fromCodePoint(r))));
}

function isEndOfLine(r: number): boolean {
  return r === 0x0d || r === 0x0a;
}

function isTerminator(r: number): boolean {
  if (r === 0x20 || r === 0x09 || isEndOfLine(r)) return true;
  return r === EOF || '.,[]$@{}'.includes(String.fromCodePoint(r));
}

/** Go's %#U: "U+0028 '('", the quoted character only when it is printable. */
function goQuotedRune(r: number): string {
  const hex = `U+${r.toString(16).toUpperCase().padStart(4, '0')}`;
  const ch = String.fromCodePoint(r);
  return printableRe.test(ch) ? `${hex} '${ch}'` : hex;
}

/** strconv.Unquote that also takes single-quoted strings of any length (client-go's UnquoteExtend). */
function unquoteExtend(s: string): string {
  const syntax = () => new Error('invalid syntax');
  if (s.length < 2) throw syntax();
  const quote = s[0];
  if (quote !== s[s.length - 1] || (quote !== '"' && quote !== "'")) throw syntax();
  const body = s.slice(1, -1);
  if (!body.includes('\\') && !body.includes(quote)) return body;
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === quote) throw syntax();
    if (c !== '\\') {
      const cp = body.codePointAt(i) ?? 0;
      out += String.fromCodePoint(cp);
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    if (i + 1 >= body.length) throw syntax();
    const e = body[i + 1];
    i += 2;
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e in simple) {
      out += simple[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i, i + n);
      if (hex.length < n || !/^[0-9a-fA-F]+$/.test(hex)) throw syntax();
      const v = parseInt(hex, 16);
      if (e !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) throw syntax();
      out += String.fromCodePoint(v);
      i += n;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i - 1, i + 2);
      if (!/^[0-7]{3}$/.test(oct)) throw syntax();
      const v = parseInt(oct, 8);
      if (v > 255) throw syntax();
      out += String.fromCharCode(v);
      i += 2;
    } else if (e === quote) {
      out += e;
    } else {
      throw syntax();
    }
  }
  return out;
}
