// Cached objects are shared by every reader; mutating one silently corrupts the cache (the next
// update diff is wrong, other controllers see a state the server never had). Deep-freezing makes
// such a bug throw at the mutation in strict-mode code. It costs a walk of each object, so it is on
// by default only in development and tests.

/** True under NODE_ENV=development|test or node's test runner, unless K8TS_FREEZE_CACHE=0. */
export function freezeByDefault(): boolean {
  const flag = process.env.K8TS_FREEZE_CACHE;
  if (flag === '0' || flag === 'false') return false;
  if (flag === '1' || flag === 'true') return true;
  const env = process.env.NODE_ENV;
  return env === 'development' || env === 'test' || process.env.NODE_TEST_CONTEXT !== undefined;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}
