// What the Kubernetes libraries need to know about cel-js's values: the classes it does not export
// (uint, duration, type), the CEL name of any value (for cel-go's error messages) and the way to
// declare a library type or a namespace such as `sets` or `format`.
import type { Environment } from '@marcbachmann/cel-js';
import { cel } from '../library.js';

export interface CelUint {
  valueOf(): bigint;
}

export interface CelDuration {
  readonly seconds: bigint;
  readonly nanos: number;
  addDuration(other: CelDuration): CelDuration;
}

interface HiddenClasses {
  uint: new (value: bigint) => CelUint;
  duration: new (seconds: bigint, nanos: number) => CelDuration;
  type: abstract new (...args: never[]) => { readonly name: string };
}

let hidden: HiddenClasses | undefined;

// cel-js exports none of these classes; the values of its own literals lead to them.
function classes(): HiddenClasses {
  return (hidden ??= {
    uint: cel().evaluate('1u').constructor,
    duration: cel().evaluate('duration("1s")').constructor,
    type: cel().evaluate('int').constructor,
  });
}

export const isUint = (v: unknown): v is CelUint => v instanceof classes().uint;
export const isDuration = (v: unknown): v is CelDuration => v instanceof classes().duration;
export const newUint = (v: bigint): CelUint => new (classes().uint)(v);
export const newDuration = (seconds: bigint, nanos: number): CelDuration => new (classes().duration)(seconds, nanos);

const libraryTypeNames = new WeakMap<object, string>();

/** Declares a type of ours (IP, Quantity…) under upstream's name, remembered for error messages. */
export function defineType(env: Environment, name: string, ctor: abstract new (...args: never[]) => object): void {
  env.registerType(name, ctor as unknown as new () => object);
  libraryTypeNames.set(ctor, name);
}

/**
 * A constant named like one of upstream's function namespaces (`sets`, `format`, `ip`, `strings`):
 * cel-js reads `sets.contains(a, b)` as the method `contains` called on `sets`.
 */
export function defineNamespace(env: Environment, constant: string, typeName: string): void {
  const Namespace = class {};
  defineType(env, typeName, Namespace);
  env.registerConstant(constant, typeName, new Namespace());
}

/** The CEL type name of a value, as cel-go prints it in messages. */
export function celTypeName(v: unknown): string {
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'object':
      break;
    default:
      return typeof v;
  }
  if (v === null) return 'null_type';
  if (Array.isArray(v) || v instanceof Set) return 'list';
  if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) return 'map';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Date) return 'google.protobuf.Timestamp';
  if (isDuration(v)) return 'google.protobuf.Duration';
  if (isUint(v)) return 'uint';
  if (v instanceof classes().type) return 'type';
  if (v instanceof cel().Optional) return 'optional_type';
  return libraryTypeNames.get(v.constructor) ?? v.constructor.name;
}

/** A CEL list as an array (cel-js may hand a Set). */
export const listItems = (v: unknown): unknown[] => (Array.isArray(v) ? v : [...(v as Iterable<unknown>)]);

/** A CEL map's entries, whether cel-js holds it as a Map or a plain object. */
export const mapEntries = (v: object): [unknown, unknown][] => (v instanceof Map ? [...v.entries()] : Object.entries(v));

/** The isX(string) check of a parser: whether it takes the text without throwing. */
export function parses(parse: (s: string) => unknown): (s: string) => boolean {
  return (s) => {
    try {
      parse(s);
      return true;
    } catch {
      return false;
    }
  };
}
