// string.format(list) of cel-go's strings extension (ext/formatting.go, as Kubernetes 1.32 vendors
// it): %s, %d, %f, %e, %b, %x, %X, %o and %%, with an optional precision (".3") for %f. Errors
// carry cel-go's wording. Not done: the check cel-go makes at compile time of a constant format
// string against a list literal (here a bad clause fails when evaluated).
import { formatF, formatFixed, formatG, formatLocaleFixed, formatLocaleScientific } from './go-float.js';
import { goQuote } from './go-quote.js';
import { celTypeName, isDuration, isUint, listItems, mapEntries, type CelDuration } from './runtime.js';

export class FormatError extends Error {}

// Rendering a precision of millions of digits would stall the server; Go would try.
const maxPrecision = 1000;

const isInt = (v: unknown): v is bigint | { valueOf(): bigint } => typeof v === 'bigint' || isUint(v);
const intValue = (v: bigint | { valueOf(): bigint }) => (typeof v === 'bigint' ? v : v.valueOf());

function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z');
}

function durationText(d: CelDuration): string {
  return `${formatF(Number(d.seconds) + d.nanos / 1e9)}s`;
}

function bytesText(b: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new FormatError('invalid UTF-8 in bytes, cannot convert to string');
  }
}

const typeText = (t: { name: string }) => (t.name === 'null' ? 'null_type' : t.name);

/** The %s text of a value (cel-go's FormatString). */
function asString(v: unknown): string {
  if (isInt(v)) return intValue(v).toString();
  if (typeof v === 'number') return formatG(v);
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (v === null) return 'null';
  if (v instanceof Date) return rfc3339Nano(v);
  if (v instanceof Uint8Array) return bytesText(v);
  if (isDuration(v)) return durationText(v);
  const type = celTypeName(v);
  if (type === 'list') return formatList(v);
  if (type === 'map') return formatMap(v as object);
  if (type === 'type') return typeText(v as { name: string });
  throw new FormatError(`string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given ${type}`);
}

/** A list or map element, written as a CEL literal (quoteForCEL). */
function literal(v: unknown): string {
  if (isInt(v)) return intValue(v).toString();
  if (typeof v === 'string') return goQuote(v);
  if (v instanceof Uint8Array) return `b${goQuote(bytesText(v))}`;
  if (typeof v === 'number') return Number.isFinite(v) ? formatFixed(v, 6) : goQuote(formatFixed(v, 6));
  if (v instanceof Date) return `timestamp(${goQuote(rfc3339Nano(v))})`;
  if (isDuration(v)) return `duration(${goQuote(durationText(v))})`;
  const type = celTypeName(v);
  if (typeof v === 'boolean' || v === null || type === 'type' || type === 'list' || type === 'map') return asString(v);
  throw new FormatError(`no formatting function for ${type}`);
}

function formatList(v: unknown): string {
  return `[${listItems(v).map(literal).join(', ')}]`;
}

function formatMap(v: object): string {
  const entries = mapEntries(v).map(([k, value]) => {
    let key: string;
    if (typeof k === 'string') key = goQuote(k);
    else if (typeof k === 'boolean' || isInt(k)) key = asString(k);
    else throw new FormatError(`no formatting function for map key of type ${celTypeName(k)}`);
    return [key, literal(value)];
  });
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, value]) => `${k}:${value}`).join(', ')}}`;
}

/** %f and %e take doubles, and the strings "NaN", "Infinity" and "-Infinity". */
function asDouble(v: unknown, clause: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  throw new FormatError(`${clause} clause can only be used on doubles, was given ${celTypeName(v)}`);
}

function radix(v: unknown, base: number, what: string): string {
  if (!isInt(v)) throw new FormatError(`${what}, was given ${celTypeName(v)}`);
  const n = intValue(v);
  return n < 0n ? `-${(-n).toString(base)}` : n.toString(base);
}

function hexText(v: unknown): string {
  if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return radix(v, 16, 'only integers, byte buffers, and strings can be formatted as hex');
}

function applyClause(verb: string, precision: number | undefined, v: unknown): string {
  switch (verb) {
    case 's':
      return asString(v);
    case 'd':
      return radix(v, 10, 'decimal clause can only be used on integers');
    case 'f':
      return formatLocaleFixed(asDouble(v, 'fixed-point'), precision ?? 6);
    case 'e':
      // cel-go hands the precision to the printer as a width: the mantissa always has six decimals.
      return formatLocaleScientific(asDouble(v, 'scientific'));
    case 'b':
      if (typeof v === 'boolean') return v ? '1' : '0';
      return radix(v, 2, 'only integers and bools can be formatted as binary');
    case 'x':
      return hexText(v);
    case 'X':
      return hexText(v).toUpperCase();
    case 'o':
      return radix(v, 8, 'octal clause can only be used on integers');
  }
  throw new Error(`unreachable clause ${verb}`);
}

/** The clause after a '%': how many characters it takes, its verb and precision. */
function parseClause(s: string): [number, string, number | undefined] {
  let i = 0;
  let precision: number | undefined;
  if (s[0] === '.') {
    i = 1;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') i++;
    if (i >= s.length) throw new FormatError('error while parsing precision: could not find end of precision specifier');
    const digits = s.slice(1, i);
    if (digits === '') throw new FormatError('error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing "": invalid syntax');
    precision = Math.min(Number(digits), maxPrecision);
  }
  const verb = String.fromCodePoint(s.codePointAt(i)!);
  if (!'sdfebxXo'.includes(verb)) throw new FormatError(`unrecognized formatting clause ${goQuote(verb)}`);
  return [i + verb.length, verb, precision];
}

/** "<format>".format(args); throws FormatError with cel-go's message. */
export function formatString(format: string, args: unknown[]): string {
  let out = '';
  let argIndex = 0;
  for (let i = 0; i < format.length; ) {
    if (format[i] !== '%') {
      out += format[i++];
      continue;
    }
    if (format[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    if (argIndex >= args.length) throw new FormatError(`index ${argIndex} out of range`);
    if (i + 1 >= format.length) throw new FormatError('unexpected end of string');
    let read: number;
    let verb: string;
    let precision: number | undefined;
    try {
      [read, verb, precision] = parseClause(format.slice(i + 1));
    } catch (err) {
      throw new FormatError(`could not parse formatting clause: ${(err as Error).message}`);
    }
    try {
      out += applyClause(verb, precision, args[argIndex]);
    } catch (err) {
      throw new FormatError(`error during formatting: ${(err as Error).message}`);
    }
    i += 1 + read;
    argIndex++;
  }
  return out;
}
