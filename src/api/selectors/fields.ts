// Field selectors exactly as apimachinery's pkg/fields parses and matches them: comma-joined
// `field=value`, `field==value`, `field!=value` terms (AND), with `\`, `,` and `=` in values
// escaped by a backslash. Which fields a kind supports is field-attrs.ts's business.
import { badRequest } from '../status.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

/** AND of terms, in upstream's order (terms sorted by their text before parsing). */
export type FieldSelector = readonly FieldRequirement[];

/** fields.EscapeValue. */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue; throws 400 with upstream's message on a bad escape or a bare ',' / '='. */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(text: string): string[] {
  if (text.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const termOperators: FieldOperator[] = ['!=', '==', '='];

/** The first operator occurrence, trying "!=" then "==" then "=" at each position. */
function splitTerm(term: string): { field: string; operator: FieldOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), operator: op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.ParseSelector; "" selects everything. Throws 400 with upstream's message. */
export function parseFieldSelector(text: string): FieldSelector {
  const parts = splitTerms(text).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    out.push({ field: t.field, operator: t.operator, value: unescapeFieldValue(t.rhs) });
  }
  return out;
}

/** Whether an object with these field attributes is selected (a missing attribute reads as ""). */
export function matchesFields(selector: FieldSelector, attrs: Record<string, string>): boolean {
  return fieldSelectorPredicate(selector, attrValue)(attrs);
}

const attrValue = (field: string) => (attrs: Record<string, string>) => (Object.prototype.hasOwnProperty.call(attrs, field) ? attrs[field] : '');

/**
 * matchesFields as one predicate over objects, reading each term's field with valueOf(field)'s
 * getter: a watch matches every event, and this reads only the fields the selector names.
 */
export function fieldSelectorPredicate<T>(selector: FieldSelector, valueOf: (field: string) => (obj: T) => string): (obj: T) => boolean {
  const terms = selector.map((r) => ({ get: valueOf(r.field), value: r.value, negated: r.operator === '!=' }));
  return (obj) => {
    for (const t of terms) if ((t.get(obj) === t.value) === t.negated) return false;
    return true;
  };
}

/** Canonical text, as upstream's Selector.String(): "=" for both equality forms, values escaped. */
export function fieldSelectorToString(selector: FieldSelector): string {
  return selector.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
}

/** The value a selector pins `field` to with = or ==, if any (e.g. spec.nodeName for a kubelet's watch). */
export function fieldRequiresExactMatch(selector: FieldSelector, field: string): string | undefined {
  return selector.find((r) => r.field === field && r.operator !== '!=')?.value;
}
