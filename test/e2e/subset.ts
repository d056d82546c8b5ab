// Shared by the e2e tests: "the object kubectl printed is contained in what the server stored".
// The server adds metadata and defaults, so equality is too strong; containment checks every
// field kubectl meant to send arrived unchanged.

/**
 * Returns the paths where `expected` is not contained in `actual`, empty when it is.
 * A null in `expected` (kubectl prints `creationTimestamp: null`) matches anything; arrays must
 * have the same length and contain each other element-wise. An empty object in `expected` also
 * matches an absent field: Go prints zero-valued structs (`resources: {}`, `status: {}`) that
 * carry no information.
 */
export function subsetMismatches(expected: unknown, actual: unknown, path = ''): string[] {
  if (expected === null) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${path}: expected ${expected.length} items, got ${actual.length}: ${JSON.stringify(actual)}`];
    return expected.flatMap((e, i) => subsetMismatches(e, actual[i], `${path}[${i}]`));
  }
  if (typeof expected === 'object') {
    if (actual === undefined && Object.keys(expected as object).length === 0) return [];
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    }
    const a = actual as Record<string, unknown>;
    return Object.entries(expected as Record<string, unknown>).flatMap(([k, v]) => subsetMismatches(v, a[k], `${path}.${k}`));
  }
  return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
