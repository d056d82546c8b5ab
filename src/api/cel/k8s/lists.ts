// Kubernetes' lists library (k8s.io/apiserver/pkg/cel/library/lists.go): isSorted, sum, min, max,
// indexOf and lastIndexOf. Upstream declares one overload per element type, so that the result has
// the list's element type and lists of other types do not compile; all share one implementation,
// as a dyn list is dispatched to the first overload its runtime type matches.
import type { Environment } from '@marcbachmann/cel-js';
import { libraryError } from '../library.js';
import { isDuration, isUint, listItems, newDuration, newUint } from './runtime.js';
import { celCompare, celEquals } from './values.js';

const comparableTypes = ['int', 'uint', 'double', 'bool', 'google.protobuf.Duration', 'google.protobuf.Timestamp', 'string', 'bytes'];

const summableTypes: [string, () => unknown][] = [
  ['int', () => 0n],
  ['uint', () => newUint(0n)],
  ['double', () => 0],
  ['google.protobuf.Duration', () => newDuration(0n, 0)],
];

const maxInt64 = (1n << 63n) - 1n;
const minInt64 = -(1n << 63n);
const maxUint64 = (1n << 64n) - 1n;

function add(acc: unknown, next: unknown): unknown {
  if (typeof acc === 'bigint' && typeof next === 'bigint') {
    const sum = acc + next;
    if (sum > maxInt64 || sum < minInt64) throw libraryError('integer overflow');
    return sum;
  }
  if (typeof acc === 'number' && typeof next === 'number') return acc + next;
  if (isUint(acc) && isUint(next)) {
    const sum = acc.valueOf() + next.valueOf();
    if (sum > maxUint64) throw libraryError('unsigned integer overflow');
    return newUint(sum);
  }
  if (isDuration(acc) && isDuration(next)) return acc.addDuration(next);
  throw libraryError('no such overload');
}

function isSorted(list: unknown): boolean {
  const items = listItems(list);
  for (let i = 1; i < items.length; i++) if (celCompare(items[i - 1], items[i]) === 1) return false;
  return true;
}

/** min keeps the current result unless it compares greater (1), max unless it compares less (-1). */
function extreme(name: string, replaceWhen: number) {
  return (list: unknown): unknown => {
    const items = listItems(list);
    if (items.length === 0) throw libraryError(`${name} called on empty list`);
    let result = items[0];
    for (let i = 1; i < items.length; i++) if (celCompare(result, items[i]) === replaceWhen) result = items[i];
    return result;
  };
}

function indexOf(list: unknown, item: unknown): bigint {
  const items = listItems(list);
  for (let i = 0; i < items.length; i++) if (celEquals(items[i], item)) return BigInt(i);
  return -1n;
}

function lastIndexOf(list: unknown, item: unknown): bigint {
  const items = listItems(list);
  for (let i = items.length - 1; i >= 0; i--) if (celEquals(items[i], item)) return BigInt(i);
  return -1n;
}

export function registerLists(env: Environment): void {
  const min = extreme('min', 1);
  const max = extreme('max', -1);
  for (const t of comparableTypes) {
    env.registerFunction(`list<${t}>.isSorted(): bool`, isSorted);
    env.registerFunction(`list<${t}>.min(): ${t}`, min);
    env.registerFunction(`list<${t}>.max(): ${t}`, max);
  }
  for (const [t, zero] of summableTypes) env.registerFunction(`list<${t}>.sum(): ${t}`, (list: unknown) => listItems(list).reduce(add, zero()));
  // Upstream declares list<A>.indexOf(A). cel-js dispatches a dyn call by the type of each
  // argument's first element, so a JSON list such as [1, 2.5] would find no overload for 2.5:
  // taking any list and any value keeps those working, and also accepts what upstream's checker
  // rejects ([1].indexOf('a') is -1 here, a compile error there).
  env.registerFunction('list.indexOf(dyn): int', indexOf);
  env.registerFunction('list.lastIndexOf(dyn): int', lastIndexOf);
}
