// Ownership bookkeeping shared by apply and update, after structured-merge-diff's merge.Updater:
// who loses which fields when an object changes, conflicts, and pruning what an applier dropped.
import { conflictError, type Conflict } from './conflict.js';
import { FieldSet } from './fieldset.js';
import { ownsNothing, ownsSomeOf, type Managed } from './managers.js';
import { compareElements, type Path } from './path.js';
import { isObject, type Typed } from './typed.js';
import { compare, removeItems, toFieldSet, withNamedFields, type Comparison } from './walk.js';

/** Fields never recorded in managedFields (upstream stripMetaManager), removed exactly, not recursively. */
const STRIPPED = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => [{ field: 'metadata' }, { field: f }],
  ),
);

/** Removes the always-ignored metadata fields from one manager's set, dropping it if empty. */
export function stripMeta(managed: Managed, id: string): void {
  const m = managed.get(id);
  if (!m) return;
  m.set = m.set.difference(STRIPPED);
  if (m.set.isEmpty()) managed.delete(id);
}

/** A FieldSet of whole subtrees from field-name paths like [['status'], ['metadata', 'labels']]. */
export function ignoredSet(paths: string[][] | undefined): FieldSet {
  return FieldSet.of(...(paths ?? []).filter((p) => p.length > 0).map((p) => p.map((field) => ({ field }))));
}

function exclude(c: Comparison, ignored: FieldSet): Comparison {
  return {
    added: c.added.recursiveDifference(ignored),
    removed: c.removed.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
  };
}

function comparePaths(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareElements(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Moves ownership for the change old → new made by manager `id`: other managers lose the
 * fields it added or modified (a conflict unless forced) and every field that was removed.
 * Returns the comparison with ignored fields excluded.
 */
export function transferOwnership(args: {
  old: unknown;
  updated: unknown;
  root: Typed;
  managed: Managed;
  id: string;
  force: boolean;
  ignored: FieldSet;
}): Comparison {
  const { managed, id } = args;
  const c = exclude(compare(args.old, args.updated, args.root), args.ignored);
  const changed = c.modified.union(c.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [mid, m] of managed) {
    // (A manager with nothing in common is not decoded at all.)
    if (mid === id || !ownsSomeOf(m, changed)) continue;
    const hit = m.set.intersection(changed);
    if (!hit.isEmpty()) conflicts.set(mid, hit);
  }
  if (!args.force && conflicts.size > 0) {
    const list: Conflict[] = [];
    for (const mid of [...conflicts.keys()].sort()) {
      const m = managed.get(mid);
      if (!m) continue;
      const info = { ...m.info, apiVersion: m.apiVersion };
      for (const path of conflicts.get(mid)?.paths().sort(comparePaths) ?? []) list.push({ manager: info, path });
    }
    throw conflictError(list);
  }
  for (const [mid, m] of managed) {
    if (mid === id) continue;
    const hit = conflicts.get(mid);
    if (hit) m.set = m.set.difference(hit);
    if (!c.removed.isEmpty() && ownsSomeOf(m, c.removed)) m.set = m.set.difference(c.removed);
  }
  for (const [mid, m] of managed) if (ownsNothing(m)) managed.delete(mid);
  return c;
}

/**
 * Removes from `merged` what the applier owned last time, no longer applies, and nobody else
 * owns — then restores anything removed only as a side effect (upstream Updater.prune with
 * addBackOwnedItems and addBackDanglingItems).
 */
export function prune(merged: Record<string, unknown>, managed: Managed, lastSet: FieldSet | undefined, root: Typed): Record<string, unknown> {
  if (!lastSet || lastSet.isEmpty()) return merged;
  const named = (s: FieldSet) => withNamedFields(s, root);
  const asObject = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
  const last = named(lastSet);
  let owned = new FieldSet();
  for (const m of managed.values()) owned = owned.union(m.set);
  const mergedSet = named(toFieldSet(merged, root));
  const firstPass = asObject(removeItems(merged, last, root));
  const keep = named(toFieldSet(firstPass, root)).union(named(owned));
  const withOwned = asObject(removeItems(merged, mergedSet.difference(keep), root));
  const stillThere = named(toFieldSet(withOwned, root));
  return asObject(removeItems(merged, mergedSet.difference(stillThere).intersection(last), root));
}
