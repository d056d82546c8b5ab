// A port of kube-openapi's schema validator (k8s.io/kube-openapi/pkg/validation/validate:
// schema.go, type.go, validator.go, values.go, object_validator.go, slice_validator.go,
// schema_props.go) as CRD validation runs it: each schema node applies, in order, the type,
// anyOf/oneOf/allOf/not, string, format, number, array, enum and object checks that fit the
// value, every one of them, so a value can fail several at once. Results keep the validator's
// match count because anyOf and oneOf report the errors of the branch that matched best.
//
// Values are JSON as JSON.parse gives them. Go decodes a number written without fraction or
// exponent as an int64 and any other as a float64; here an integral number stands for the
// int64, which is indistinguishable but for messages about a "1.0" given where a string belongs.
import {
  duplicateItems, enumFail, exceedsMaximum, exceedsMinimum, failedPattern, goFloat, hasADependency, invalidType, multipleOfMustBePositive,
  mustNotValidateSchema, mustValidateAllSchemas, mustValidateAtLeastOneSchema, mustValidateOnlyOneSchema, notMultipleOf, propertyNotAllowed,
  required, tooFewItems, tooFewProperties, tooLong, tooManyItems, tooManyProperties, tooShort, type OpenAPIError,
} from './openapi-errors.js';
import { effectiveFormat, formatChecker } from './openapi-formats.js';
import { itemSchema, type JSONSchemaProps } from './json-schema-props.js';

export class Result {
  errors: OpenAPIError[] = [];
  matchCount = 0;

  /** Errors are kept unique by message, as the same check is often reached twice (allOf). */
  add(...errs: OpenAPIError[]): this {
    for (const e of errs) if (!this.errors.some((x) => x.message === e.message)) this.errors.push(e);
    return this;
  }

  merge(...others: (Result | undefined)[]): this {
    for (const o of others) {
      if (!o) continue;
      this.add(...o.errors);
      this.matchCount += o.matchCount;
    }
    return this;
  }

  get valid(): boolean {
    return this.errors.length === 0;
  }
}

const fail = (e: OpenAPIError) => new Result().add(e);

/** What a schema node needs at validation time, computed once per node. */
interface Compiled {
  /** The type list: [type], ["integer", "string"] for x-kubernetes-int-or-string, or []. */
  types: string[];
  format: string;
  pattern?: RegExp | string;
}

const compiledNodes = new WeakMap<JSONSchemaProps, Compiled>();

function compile(s: JSONSchemaProps): Compiled {
  let c = compiledNodes.get(s);
  if (!c) {
    const types = s['x-kubernetes-int-or-string'] ? ['integer', 'string'] : s.type ? [s.type] : [];
    c = { types, format: effectiveFormat(types, s.format) };
    if (s.pattern) c.pattern = compilePattern(s.pattern);
    compiledNodes.set(s, c);
  }
  return c;
}

/** A pattern as a RegExp, or why it does not compile. Unicode mode first, since Go matches code
 *  points; patterns valid in Go but not in unicode mode (an escaped "-") compile without it. */
function compilePattern(pattern: string): RegExp | string {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch (err) {
      return `error parsing regexp: ${(err as Error).message}`;
    }
  }
}

type Kind = 'null' | 'boolean' | 'string' | 'integer' | 'number' | 'array' | 'object';

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'integer' : 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** swag.IsFloat64AJSONInteger: integral within JSON's exact range, give or take a relative error
 *  of 1e-9 above a whole number. Go compares with the truncated value, so 2.9999999999999996
 *  (0.3 / 0.1) fails while 3.0000000000000004 passes. */
function isFloat64AJSONInteger(f: number): boolean {
  const maxJSON = 2 ** 53 - 1;
  if (!Number.isFinite(f) || f < -maxJSON || f > maxJSON) return false;
  if (Number.isInteger(f)) return true;
  if (f < 0) return false; // Go converts through uint64, which makes every negative fraction fail
  const g = Math.trunc(f);
  const diff = f - g;
  if (g === 0) return diff < 1e-9 * Number.MIN_VALUE;
  return diff / Math.min(f + g, Number.MAX_VALUE) < 1e-9;
}

/** Validates data against one schema node at path, as SchemaValidator.Validate does. */
export function validateNode(s: JSONSchemaProps, data: unknown, path: string): Result {
  const c = compile(s);
  const result = new Result();
  const kind = kindOf(data);
  if (kind === 'null') return result.merge(checkType(c, s, null, kind, path), checkEnum(s, null, path));

  const step = (r: Result | undefined) => {
    result.merge(r);
    result.matchCount++;
  };
  if (c.types.length > 0 || c.format !== '') step(checkType(c, s, data, kind, path));
  step(checkJunctors(s, data, path));
  if (kind === 'string') {
    step(checkString(c, s, data as string, path));
    const format = c.format ? formatChecker(c.format) : undefined;
    if (format) step(format(data as string) ? undefined : fail(invalidType(path, c.format, data)));
  }
  if (kind === 'integer' || kind === 'number') step(checkNumber(s, data as number, kind === 'integer', path));
  if (kind === 'array') step(checkArray(s, data as unknown[], path));
  step(checkEnum(s, data, path));
  if (kind === 'object') step(checkObject(s, data as Record<string, unknown>, path));
  result.matchCount++;
  return result;
}

function checkType(c: Compiled, s: JSONSchemaProps, data: unknown, kind: Kind, path: string): Result {
  const ok = new Result();
  ok.matchCount = 1;
  const { types, format } = c;
  if (kind === 'null') {
    return types.length > 0 && !types.includes('null') && !s.nullable ? fail(invalidType(path, types.join(','), 'null')) : ok;
  }
  // The JSON type and Go-side format the decoded value carries.
  const dataFormat = kind === 'integer' ? 'int64' : kind === 'number' ? 'float64' : '';
  const isFloatInt = kind === 'number' && isFloat64AJSONInteger(data as number) && types.includes('integer');
  const isIntFloat = kind === 'integer' && types.includes('number');
  if (kind !== 'string' && kind !== 'array' && format !== '' && !(types.includes(kind) || format === dataFormat || isFloatInt || isIntFloat)) {
    return fail(invalidType(path, format, dataFormat));
  }
  if (!(types.includes('number') || types.includes('integer')) && format !== '' && (kind === 'string' || kind === 'array')) return ok;
  if (!(types.includes(kind) || isFloatInt || isIntFloat)) return fail(invalidType(path, types.join(','), kind));
  return ok;
}

/** maxLength, then minLength, then pattern; the first failure is the only one reported. */
function checkString(c: Compiled, s: JSONSchemaProps, data: string, path: string): Result | undefined {
  if (s.maxLength !== undefined || s.minLength !== undefined) {
    const length = [...data].length; // code points, as utf8.RuneCountInString
    if (s.maxLength !== undefined && length > s.maxLength) return fail(tooLong(path, s.maxLength, data));
    if (s.minLength !== undefined && length < s.minLength) return fail(tooShort(path, s.minLength, data));
  }
  if (s.pattern && c.pattern !== undefined) {
    if (typeof c.pattern === 'string') return fail(failedPattern(path, `${s.pattern}, but pattern is invalid: ${c.pattern}`, data));
    if (!c.pattern.test(data)) return fail(failedPattern(path, s.pattern, data));
  }
  return undefined;
}

/** multipleOf, minimum, maximum. An integer is checked against the limit truncated to an
 *  integer (MaximumNativeType), and the message shows that truncated limit. */
function checkNumber(s: JSONSchemaProps, data: number, isInt: boolean, path: string): Result {
  const res = new Result();
  const mult = new Result();
  const min = new Result();
  const max = new Result();
  if (s.multipleOf !== undefined) {
    // A fractional factor would truncate to 0 for an integer, where Go divides by zero: check it
    // as a float instead.
    const factor = s.multipleOf;
    if (isInt && Math.abs(factor) >= 1) {
      const f = Math.trunc(factor);
      if (f < 0) mult.add(multipleOfMustBePositive(path, String(f), f));
      else if (data % f !== 0) mult.add(notMultipleOf(path, String(f), data));
    } else if (factor < 0) {
      mult.add(multipleOfMustBePositive(path, goFloat(factor), factor));
    } else {
      const m = factor < 1 ? (1 / factor) * data : data / factor;
      if (!isFloat64AJSONInteger(m)) mult.add(notMultipleOf(path, goFloat(factor), data));
    }
  }
  if (s.maximum !== undefined) {
    const limit = isInt ? Math.trunc(s.maximum) : s.maximum;
    const over = s.exclusiveMaximum ? data >= limit : data > limit;
    if (over) max.add(exceedsMaximum(path, isInt ? String(limit) : goFloat(limit), !!s.exclusiveMaximum, data));
  }
  if (s.minimum !== undefined) {
    const limit = isInt ? Math.trunc(s.minimum) : s.minimum;
    const under = s.exclusiveMinimum ? data <= limit : data < limit;
    if (under) min.add(exceedsMinimum(path, isInt ? String(limit) : goFloat(limit), !!s.exclusiveMinimum, data));
  }
  res.merge(mult, min, max);
  res.matchCount++;
  return res;
}

function checkArray(s: JSONSchemaProps, data: unknown[], path: string): Result {
  const result = new Result();
  const items = itemSchema(s);
  if (items) for (let i = 0; i < data.length; i++) result.merge(validateNode(items, data[i], `${path}[${i}]`));
  if (s.minItems !== undefined && data.length < s.minItems) result.add(tooFewItems(path, s.minItems, data.length));
  if (s.maxItems !== undefined && data.length > s.maxItems) result.add(tooManyItems(path, s.maxItems, data.length));
  if (s.uniqueItems && hasDuplicates(data)) result.add(duplicateItems(path));
  result.matchCount++;
  return result;
}

function checkEnum(s: JSONSchemaProps, data: unknown, path: string): Result | undefined {
  if (!s.enum || s.enum.length === 0) return undefined;
  // A null value never matches, not even a null in the enum: Go skips untyped enum values.
  if (data !== null && data !== undefined && s.enum.some((v) => v !== null && jsonEqual(data, v))) return undefined;
  return fail(enumFail(path, data ?? undefined, s.enum));
}

/** A member of a decoded object; own keys only, so "constructor" is not found on every object. */
const member = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

function checkObject(s: JSONSchemaProps, data: Record<string, unknown>, path: string): Result {
  const keys = Object.keys(data).filter((k) => data[k] !== undefined);
  if (s.minProperties !== undefined && keys.length < s.minProperties) return fail(tooFewProperties(path, s.minProperties, keys.length));
  if (s.maxProperties !== undefined && keys.length > s.maxProperties) return fail(tooManyProperties(path, s.maxProperties, keys.length));

  const res = new Result();
  const props = s.properties ?? {};
  const ap = s.additionalProperties;
  // patternProperties is left out: CRD schemas may not use it.
  if (ap === false) {
    for (const k of keys) if (!Object.hasOwn(props, k)) res.add(propertyNotAllowed(path, k));
  } else if (typeof ap === 'object' && ap !== null) {
    for (const k of keys) if (!Object.hasOwn(props, k)) res.merge(validateNode(ap, data[k], `${path}.${k}`));
  }
  for (const [name, schema] of Object.entries(props)) {
    const value = member(data, name);
    if (value !== undefined) res.merge(validateNode(schema, value, path === '' ? name : `${path}.${name}`));
  }
  for (const k of s.required ?? []) if (member(data, k) === undefined) res.add(required(`${path}.${k}`));
  return res;
}

/** anyOf, oneOf, allOf, not and dependencies, each branch validated at the same path. */
function checkJunctors(s: JSONSchemaProps, data: unknown, path: string): Result {
  const main = new Result();

  if (s.anyOf && s.anyOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    for (const branch of s.anyOf) {
      const r = validateNode(branch, data, path);
      if (r.valid) {
        best = undefined;
        firstSuccess = r;
        break;
      }
      if (!best || r.matchCount > best.matchCount) best = r;
    }
    if (!firstSuccess) main.add(mustValidateAtLeastOneSchema(path));
    main.merge(best ?? firstSuccess);
  }

  if (s.oneOf && s.oneOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    let validated = 0;
    for (const branch of s.oneOf) {
      const r = validateNode(branch, data, path);
      if (r.valid) {
        validated++;
        best = undefined;
        firstSuccess ??= r;
        continue;
      }
      if (validated === 0 && (!best || r.matchCount > best.matchCount)) best = r;
    }
    if (validated !== 1) {
      main.add(mustValidateOnlyOneSchema(path, validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`));
      main.merge(best);
    } else {
      main.merge(firstSuccess);
    }
  }

  if (s.allOf && s.allOf.length > 0) {
    let validated = 0;
    for (const branch of s.allOf) {
      const r = validateNode(branch, data, path);
      if (r.valid) validated++;
      main.merge(r);
    }
    if (validated !== s.allOf.length) main.add(mustValidateAllSchemas(path, validated === 0 ? '. None validated' : ''));
  }

  if (s.not && validateNode(s.not, data, path).valid) main.add(mustNotValidateSchema(path));

  if (s.dependencies && kindOf(data) === 'object') {
    const obj = data as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (obj[key] === undefined || !Object.hasOwn(s.dependencies, key)) continue;
      const dep = s.dependencies[key];
      if (Array.isArray(dep)) {
        for (const needed of dep) if (member(obj, needed) === undefined) main.add(hasADependency(path, needed));
      } else {
        main.merge(validateNode(dep, data, `${path}.${key}`));
      }
    }
  }

  main.matchCount++;
  return main;
}

/** reflect.DeepEqual for decoded JSON: key order does not matter, array order does. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

function hasDuplicates(items: unknown[]): boolean {
  for (let i = 1; i < items.length; i++) for (let j = 0; j < i; j++) if (jsonEqual(items[i], items[j])) return true;
  return false;
}
