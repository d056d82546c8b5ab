// x-kubernetes-validations: the CEL rules of a CRD's schema, evaluated against a custom resource
// as the apiextensions API server does (pkg/apiserver/schema/cel/validation.go). Each rule runs
// with `self` bound to the value at its schema node, for every value present there (each item
// of a list, each value of a map). A rule that mentions `oldSelf` is a transition rule: it runs
// only on an update, with `oldSelf` bound to the same place in the old object where the two can
// be matched (object fields, map keys, list-map keys), unless optionalOldSelf asks for it on
// creates too (oldSelf is then an optional, `none` without an old value).
//
// Evaluation uses @marcbachmann/cel-js with optional types. Values are given CEL types from the
// schema: integer fields are CEL ints, number fields doubles. Not done (upstream has them): type
// checking of rules against the schema when the CRD is written (only syntax is checked), the cost
// budget, timestamps and durations for date-time and duration strings, and ratcheting (a rule an
// unchanged value already broke is enforced again). The Kubernetes extension libraries (lists,
// regex, URLs, quantity, IP, CIDR, format, strings, sets) are those of src/api/cel/k8s.
import type { Environment } from '@marcbachmann/cel-js';
import { cel, celErrorLine, celEvaluationError } from '../cel/library.js';
import { registerKubernetesLibraries } from '../cel/k8s/index.js';
import type { FieldError } from '../status.js';
import { boundedMemo } from '../bounded-memo.js';
import { isObject } from '../validation/field.js';
import { additionalPropertiesSchema, itemSchema, type JSONSchemaProps } from './json-schema-props.js';

type Rule = NonNullable<JSONSchemaProps['x-kubernetes-validations']>[number];
type Program = (ctx: Record<string, unknown>) => unknown;

let env: Environment | undefined;
const environment = (): Environment =>
  (env ??= registerKubernetesLibraries(new (cel().Environment)({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false, enableOptionalTypes: true })));

/** Rules come from CRDs: a handful per cluster, compiled once each. Throws on a syntax error. */
const compile = boundedMemo(1024, (rule: string): Program => environment().parse(rule) as unknown as Program);

/** The syntax error of a rule (for CRD validation), or undefined when it parses. Needs loadCEL(). */
export function celSyntaxError(rule: string): string | undefined {
  try {
    compile(rule);
    return undefined;
  } catch (err) {
    return celErrorLine(err);
  }
}

export type CELRuleSet = 'plain' | 'transition';

export interface CELValidationOptions {
  /** Which rules run: 'plain' (no oldSelf) on every write, 'transition' on updates only. */
  rules: CELRuleSet;
  /** The object before this update ('transition'), if any. */
  old?: unknown;
  /** A create: optionalOldSelf transition rules run with oldSelf = none under 'plain'. */
  creating?: boolean;
}

/** Errors of the CEL rules of `schema` (a CRD version's root schema) for a custom resource. Needs loadCEL(). */
export function validateCELRules(obj: unknown, schema: JSONSchemaProps, opts: CELValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  walk(rootView(obj), opts.rules === 'transition' ? rootView(opts.old) : undefined, schema, '', opts, errs);
  return errs;
}

/** At the root, rules see apiVersion, kind and only metadata.name and generateName (as upstream). */
function rootView(obj: unknown): unknown {
  if (!isObject(obj)) return obj;
  const meta = isObject(obj.metadata) ? obj.metadata : undefined;
  if (!meta) return obj;
  const m: Record<string, unknown> = {};
  if (meta.name !== undefined) m.name = meta.name;
  if (meta.generateName !== undefined) m.generateName = meta.generateName;
  return { ...obj, metadata: m };
}

const child = (path: string, key: string): string => (path ? `${path}.${key}` : key);

function walk(v: unknown, old: unknown, s: JSONSchemaProps, path: string, opts: CELValidationOptions, errs: FieldError[]): void {
  if (v === undefined) return;
  const rules = s['x-kubernetes-validations'];
  if (rules?.length) for (const rule of rules) evaluate(rule, v, old, s, path, opts, errs);
  if (Array.isArray(v)) {
    const items = itemSchema(s);
    if (!items) return;
    const olds = correlatedItems(v, old, s);
    v.forEach((item, i) => walk(item, olds?.[i], items, `${path}[${i}]`, opts, errs));
    return;
  }
  if (!isObject(v)) return;
  const oldObj = isObject(old) ? old : undefined;
  if (s.properties) {
    for (const [k, sub] of Object.entries(s.properties)) if (Object.hasOwn(v, k)) walk(v[k], oldObj?.[k], sub, child(path, k), opts, errs);
  }
  const values = additionalPropertiesSchema(s);
  if (values && !s.properties) for (const [k, item] of Object.entries(v)) walk(item, oldObj?.[k], values, child(path, k), opts, errs);
}

/** The old item of each new item where the list can match them: a list-map, by its keys. */
function correlatedItems(v: unknown[], old: unknown, s: JSONSchemaProps): unknown[] | undefined {
  const keys = s['x-kubernetes-list-map-keys'];
  if (!Array.isArray(old) || s['x-kubernetes-list-type'] !== 'map' || !keys?.length) return undefined;
  const keyOf = (item: unknown) => (isObject(item) ? JSON.stringify(keys.map((k) => item[k] ?? null)) : undefined);
  const byKey = new Map(old.map((o) => [keyOf(o), o]));
  return v.map((item) => byKey.get(keyOf(item)));
}

function evaluate(rule: Rule, v: unknown, old: unknown, s: JSONSchemaProps, path: string, opts: CELValidationOptions, errs: FieldError[]): void {
  const transition = /\boldSelf\b/.test(rule.rule);
  const ctx: Record<string, unknown> = { self: celValue(v, s) };
  if (transition) {
    if (opts.rules === 'plain') {
      if (!(opts.creating && rule.optionalOldSelf)) return;
      ctx.oldSelf = cel().Optional.none();
    } else if (old === undefined) {
      if (!rule.optionalOldSelf) return;
      ctx.oldSelf = cel().Optional.none();
    } else {
      ctx.oldSelf = rule.optionalOldSelf ? cel().Optional.of(celValue(old, s)) : celValue(old, s);
    }
  } else if (opts.rules === 'transition') {
    return;
  }
  // Go prints the root's nil field path as "<nil>".
  const at = (rule.fieldPath ? child(path, rule.fieldPath.replace(/^\./, '')) : path) || '<nil>';
  const type = s.type ?? '';
  let result: unknown;
  try {
    result = compile(rule.rule)(ctx);
  } catch (err) {
    errs.push({ type: 'FieldValueInvalid', field: path || '<nil>', value: type, detail: `${celEvaluationError(err)} evaluating rule: ${ruleText(rule)}` });
    return;
  }
  if (result === true) return;
  const detail = messageOf(rule, ctx);
  switch (rule.reason) {
    case 'FieldValueForbidden':
      errs.push({ type: 'FieldValueForbidden', field: at, detail });
      return;
    case 'FieldValueRequired':
      errs.push({ type: 'FieldValueRequired', field: at, detail });
      return;
    case 'FieldValueDuplicate':
      errs.push({ type: 'FieldValueDuplicate', field: at, value: type, detail: '' });
      return;
    default:
      errs.push({ type: 'FieldValueInvalid', field: at, value: type, detail });
  }
}

/** The message, else the messageExpression's string, else "failed rule: <rule>". */
function messageOf(rule: Rule, ctx: Record<string, unknown>): string {
  if (rule.message?.trim()) return rule.message.trim();
  if (rule.messageExpression) {
    try {
      const m = compile(rule.messageExpression)(ctx);
      if (typeof m === 'string' && m.trim() && !m.includes('\n')) return m.trim();
    } catch {
      // Upstream falls back to the default message when the expression fails.
    }
  }
  return `failed rule: ${ruleText(rule)}`;
}

const ruleText = (rule: Rule): string => (rule.message?.trim() ? rule.message.trim() : rule.rule.trim());

/**
 * A JSON value in CEL's types by its schema: integers are ints (BigInt), except in number
 * fields; values of unknown shape (no schema) keep integral numbers as ints, as Go's JSON
 * decoding does.
 */
export function celValue(v: unknown, s?: JSONSchemaProps): unknown {
  if (typeof v === 'number') return s?.type === 'number' || !Number.isInteger(v) ? v : BigInt(v);
  if (Array.isArray(v)) {
    const items = itemSchema(s);
    return v.map((item) => celValue(item, items));
  }
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    const values = additionalPropertiesSchema(s);
    for (const [k, item] of Object.entries(v)) out[k] = celValue(item, s?.properties?.[k] ?? values);
    return out;
  }
  return v;
}

