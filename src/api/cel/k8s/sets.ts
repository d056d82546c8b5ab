// cel-go's sets extension (ext/sets.go, enabled by Kubernetes 1.29+): sets.contains,
// sets.equivalent and sets.intersects over lists, with CEL equality (1, 1u and 1.0 are equal).
// Upstream declares (list<T>, list<T>); these take any two lists, as cel-js would otherwise find no
// overload for dyn lists whose first elements differ in type (JSON's [1] and [1.5]). So lists of
// different element types compile here where upstream's checker rejects them.
import type { Environment } from '@marcbachmann/cel-js';
import { defineNamespace, listItems } from './runtime.js';
import { celEquals } from './values.js';

const has = (list: unknown[], v: unknown) => list.some((item) => celEquals(item, v));

/** Every element of `sub` is in `list`. */
const contains = (list: unknown, sub: unknown) => {
  const items = listItems(list);
  return listItems(sub).every((v) => has(items, v));
};

const SETS = 'kubernetes.SetsFunctions';

export function registerSets(env: Environment): void {
  defineNamespace(env, 'sets', SETS);
  env.registerFunction(`${SETS}.contains(list, list): bool`, (_: unknown, a: unknown, b: unknown) => contains(a, b));
  env.registerFunction(`${SETS}.equivalent(list, list): bool`, (_: unknown, a: unknown, b: unknown) => contains(a, b) && contains(b, a));
  env.registerFunction(`${SETS}.intersects(list, list): bool`, (_: unknown, a: unknown, b: unknown) => {
    const items = listItems(b);
    return listItems(a).some((v) => has(items, v));
  });
}
