// Label selectors exactly as apimachinery's pkg/labels parses, validates, matches and prints them:
// `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-joined (AND).
// Parse errors carry upstream's messages and are thrown as 400 BadRequest StatusErrors, so the API
// server can answer a bad `labelSelector=` query parameter without translating anything.
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { badRequest } from '../status.js';
import { aggregateMessage, invalidMessage, isQualifiedName, isValidLabelValue } from './validation.js';

/** selection.Operator values. */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted and de-duplicated when parsed from a string; as given when built from a LabelSelector. */
  readonly values: readonly string[];
}

/** AND of requirements, sorted by key. `nothing` is labels.Nothing(): matches no object at all. */
export interface Selector {
  readonly requirements: readonly Requirement[];
  readonly nothing?: true;
}

export const everything: Selector = { requirements: [] };
export const nothing: Selector = { requirements: [], nothing: true };

const binaryOperators: Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

// ---- validation (labels.NewRequirement) ----

function keyError(key: string, path: string | undefined): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? invalidMessage(path, key, errs.join('; ')) : undefined;
}

function isGoInt64(s: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** labels.NewRequirement: builds a requirement or throws 400 with upstream's aggregated field errors. */
export function newRequirement(key: string, operator: Operator, values: readonly string[]): Requirement {
  const errs: string[] = [];
  const k = keyError(key, 'key');
  if (k) errs.push(k);
  const vals = [...values];
  switch (operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) errs.push(invalidMessage('values', vals, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) errs.push(invalidMessage('values', vals, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) errs.push(invalidMessage('values', vals, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) errs.push(invalidMessage('values', vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
      vals.forEach((v, i) => {
        if (!isGoInt64(v)) errs.push(invalidMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(`operator: Unsupported value: ${JSON.stringify(operator)}: supported values: ${[...binaryOperators, 'exists', '!'].map((o) => JSON.stringify(o)).join(', ')}`);
  }
  vals.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push(invalidMessage(`values[${i}][${key}]`, v, ve.join('; ')));
  });
  if (errs.length) throw badRequest(aggregateMessage(errs));
  return { key, operator, values: vals };
}

// ---- matching ----

export function requirementMatches(r: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key] : '';
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !isGoInt64(value) || r.values.length !== 1 || !isGoInt64(r.values[0])) return false;
      const left = BigInt(value);
      const right = BigInt(r.values[0]);
      return r.operator === 'gt' ? left > right : left < right;
    }
  }
}

/** Whether the selector selects an object with these labels (missing labels = none). */
export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined): boolean {
  if (selector.nothing) return false;
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

export function isEverything(selector: Selector): boolean {
  return !selector.nothing && selector.requirements.length === 0;
}

/** If the selector pins `key` to one value (=, == or a one-value in), that value: lets callers index. */
export function requiresExactMatch(selector: Selector, key: string): string | undefined {
  const r = selector.requirements.find((x) => x.key === key);
  if (!r) return undefined;
  if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
  return undefined;
}

// ---- printing ----

export function requirementToString(r: Requirement): string {
  let s = r.operator === '!' ? `!${r.key}` : r.key;
  switch (r.operator) {
    case 'exists':
    case '!':
      return s;
    case 'in':
    case 'notin':
      s += ` ${r.operator} (`;
      break;
    case 'gt':
      s += '>';
      break;
    case 'lt':
      s += '<';
      break;
    default:
      s += r.operator;
  }
  // Several values print sorted, without reordering the requirement itself.
  s += r.values.length === 1 ? r.values[0] : [...r.values].sort(compareGo).join(',');
  if (r.operator === 'in' || r.operator === 'notin') s += ')';
  return s;
}

/** The canonical text of a selector (what upstream's Selector.String() returns). */
export function selectorToString(selector: Selector): string {
  return selector.requirements.map(requirementToString).join(',');
}

/** Byte-wise string order, as Go's sort.Strings. */
function compareGo(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedByKey(reqs: Requirement[]): Requirement[] {
  return [...reqs].sort((a, b) => compareGo(a.key, b.key));
}

// ---- lexer ----

type Token =
  | 'error'
  | 'eos'
  | ')'
  | ','
  | '!'
  | '=='
  | '='
  | '>'
  | 'identifier'
  | 'in'
  | '<'
  | '!='
  | 'notin'
  | '(';

const literalTokens: Record<string, Token> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

interface Item {
  tok: Token;
  lit: string;
}

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(input: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos])) pos++;
    if (pos >= input.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(input[pos])) {
      // Longest run of special characters that still forms a known operator ("!=" not "!" "=").
      let buffer = '';
      let last: Item | undefined;
      while (pos < input.length && isSpecial(input[pos])) {
        const next = buffer + input[pos];
        const tok = literalTokens[next];
        if (tok) {
          buffer = next;
          last = { tok, lit: next };
          pos++;
        } else if (last) {
          break;
        } else {
          buffer = next;
          pos++;
        }
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      let word = '';
      while (pos < input.length && !isSpecial(input[pos]) && !isWhitespace(input[pos])) word += input[pos++];
      const tok = literalTokens[word];
      items.push(tok ? { tok, lit: word } : { tok: 'identifier', lit: word });
    }
  }
}

// ---- parser ----

class ParseFailure extends Error {}

/** In value position the words "in" and "notin" are plain identifiers (`x in (in)`). */
type Context = 'keyAndOperator' | 'values';

class Parser {
  private position = 0;
  constructor(private readonly items: Item[]) {}

  private at(i: number, ctx: Context): Item {
    const item = this.items[Math.min(i, this.items.length - 1)];
    if (ctx === 'values' && (item.tok === 'in' || item.tok === 'notin')) return { tok: 'identifier', lit: item.lit };
    return item;
  }
  lookahead(ctx: Context): Item {
    return this.at(this.position, ctx);
  }
  consume(ctx: Context): Item {
    return this.at(this.position++, ctx);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead('values');
      if (tok === 'identifier' || tok === '!') {
        reqs.push(this.requirement());
        const next = this.consume('values');
        if (next.tok === 'eos') return reqs;
        if (next.tok === ',') {
          const after = this.lookahead('values');
          if (after.tok !== 'identifier' && after.tok !== '!') throw new ParseFailure(`found '${after.lit}', expected: identifier after ','`);
        } else {
          throw new ParseFailure(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === 'eos') {
        return reqs;
      } else {
        throw new ParseFailure(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private requirement(): Requirement {
    try {
      const { key, operator } = this.keyAndInferredOperator();
      if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
      const op = this.operator();
      const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
      return newRequirement(key, op, [...values].sort(compareGo));
    } catch (err) {
      throw new ParseFailure(`unable to parse requirement: ${(err as Error).message}`);
    }
  }

  private keyAndInferredOperator(): { key: string; operator?: Operator } {
    let operator: Operator | undefined;
    let item = this.consume('values');
    if (item.tok === '!') {
      operator = '!';
      item = this.consume('values');
    }
    if (item.tok !== 'identifier') throw new ParseFailure(`found '${item.lit}', expected: identifier`);
    const err = keyError(item.lit, undefined);
    if (err) throw new ParseFailure(err);
    const next = this.lookahead('values').tok;
    if ((next === 'eos' || next === ',') && operator !== '!') operator = 'exists';
    return { key: item.lit, operator };
  }

  private operator(): Operator {
    const { tok, lit } = this.consume('keyAndOperator');
    switch (tok) {
      case 'in':
        return 'in';
      case '=':
        return '=';
      case '==':
        return '==';
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      case 'notin':
        return 'notin';
      case '!=':
        return '!=';
      default:
        throw new ParseFailure(`found '${lit}', expected: ${binaryOperators.join(', ')}`);
    }
  }

  private valueSet(): Set<string> {
    const open = this.consume('values');
    if (open.tok !== '(') throw new ParseFailure(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead('values');
    if (tok === 'identifier' || tok === ',') {
      const set = this.identifierList();
      // upstream reports the token seen before the list here, not the offending one
      if (this.consume('values').tok !== ')') throw new ParseFailure(`found '${lit}', expected: ')'`);
      return set;
    }
    if (tok === ')') {
      this.consume('values');
      return new Set(['']);
    }
    throw new ParseFailure(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private identifierList(): Set<string> {
    const set = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume('values');
      if (tok === 'identifier') {
        set.add(lit);
        const next = this.lookahead('values');
        if (next.tok === ',') continue;
        if (next.tok === ')') return set;
        throw new ParseFailure(`found '${next.lit}', expected: ',' or ')'`);
      } else if (tok === ',') {
        // empty values: "(,a", "a,)", "a,,b"
        if (set.size === 0) set.add('');
        const next = this.lookahead('values');
        if (next.tok === ')') {
          set.add('');
          return set;
        }
        if (next.tok === ',') {
          this.consume('values');
          set.add('');
        }
      } else {
        throw new ParseFailure(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private exactValue(): Set<string> {
    const next = this.lookahead('values');
    if (next.tok === 'eos' || next.tok === ',') return new Set(['']);
    const { tok, lit } = this.consume('values');
    if (tok === 'identifier') return new Set([lit]);
    throw new ParseFailure(`found '${lit}', expected: identifier`);
  }
}

/** labels.Parse: the selector a `labelSelector=` string denotes; "" selects everything. Throws 400. */
export function parseLabelSelector(text: string): Selector {
  try {
    return { requirements: sortedByKey(new Parser(lex(text)).parse()) };
  } catch (err) {
    if (err instanceof ParseFailure) throw badRequest(err.message);
    throw err;
  }
}

/** labels.SelectorFromSet: equality on every pair (not validated, as upstream). */
export function selectorFromSet(set: Record<string, string> | undefined): Selector {
  const reqs = Object.entries(set ?? {}).map(([key, value]): Requirement => ({ key, operator: '=', values: [value] }));
  return { requirements: sortedByKey(reqs) };
}

/**
 * metav1.LabelSelectorAsSelector: a missing selector selects nothing, an empty one everything.
 * Throws 400 on an unknown operator or invalid key/values, with upstream's messages.
 */
export function labelSelectorAsSelector(ls: LabelSelector | null | undefined): Selector {
  if (!ls) return nothing;
  const matchLabels = ls.matchLabels ?? {};
  const exprs = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return everything;
  const reqs: Requirement[] = Object.entries(matchLabels).map(([k, v]) => newRequirement(k, '=', [v]));
  for (const e of exprs) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as Record<string, Operator>)[e.operator];
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, e.values ?? []));
  }
  return { requirements: sortedByKey(reqs) };
}

/** metav1.FormatLabelSelector, as table printers show selectors: "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(ls: LabelSelector | null | undefined): string {
  let text: string;
  try {
    text = selectorToString(labelSelectorAsSelector(ls));
  } catch {
    return '<error>';
  }
  return text.length === 0 ? '<none>' : text;
}

/** labels.FormatLabels: "k=v" pairs sorted by key, "<none>" for no labels. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort(compareGo);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}
