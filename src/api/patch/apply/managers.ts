// metadata.managedFields in and out: decoding entries into field sets keyed by manager
// identity, and encoding them back in upstream's order. The identity of an entry is its
// manager, operation, subresource and (for Update only) apiVersion, so one applier keeps one
// entry across versions while each updater gets one entry per version.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { fromFieldsV1, toFieldsV1 } from './fields-v1.js';
import { FieldSet } from './fieldset.js';

export interface ManagerInfo {
  manager?: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
}

export interface ManagedSet {
  info: ManagerInfo;
  apiVersion: string;
  set: FieldSet;
  time?: string;
  /**
   * The stored entry's fieldsV1 that `set` was decoded from (only for entries known to be in
   * canonical form, i.e. written by this server): while `set` is still that decoded set (sets
   * are immutable; a change replaces it), encoding reuses it instead of building it again.
   */
  encoded?: { set: FieldSet; fieldsV1: ManagedFieldsEntry['fieldsV1'] };
}

/** Manager identity → its fields. Map order carries no meaning; encoding sorts. */
export type Managed = Map<string, ManagedSet>;

/** Upstream's BuildManagerIdentifier: the JSON of the entry without time, fields, and (for Apply) apiVersion. */
export function managerId(info: ManagerInfo): string {
  const o: Record<string, string> = {};
  if (info.manager) o.manager = info.manager;
  o.operation = info.operation;
  if (info.operation === 'Update' && info.apiVersion) o.apiVersion = info.apiVersion;
  if (info.subresource) o.subresource = info.subresource;
  return JSON.stringify(o);
}

/**
 * Decodes managedFields; throws Error with upstream's wording on an invalid entry. `stored`:
 * the entries are the stored object's, which this server encoded (canonical), so an unchanged
 * set may keep its encoding.
 */
export function decodeManaged(entries: ManagedFieldsEntry[] | undefined, stored = false): Managed {
  const managed: Managed = new Map();
  (entries ?? []).forEach((e, i) => {
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (e.fieldsType !== 'FieldsV1') {
      throw new Error(e.fieldsType ? `invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}` : `missing fieldsType in managed fields entry ${i}`);
    }
    const info: ManagerInfo = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, subresource: e.subresource };
    let set: FieldSet;
    try {
      set = fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new Error(`error decoding versioned set: error decoding set: ${(err as Error).message}`);
    }
    const m: ManagedSet = { info, apiVersion: e.apiVersion, set, time: e.time };
    if (stored) m.encoded = { set, fieldsV1: e.fieldsV1 };
    managed.set(managerId(info), m);
  });
  return managed;
}

function seconds(time: string | undefined): number {
  if (!time) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

/** Encodes managed sets as managedFields, sorted as upstream: Apply first, then by time, manager, version, subresource. */
export function encodeManaged(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managed.values()) {
    const e: ManagedFieldsEntry = {};
    if (m.info.manager) e.manager = m.info.manager;
    e.operation = m.info.operation;
    e.apiVersion = m.apiVersion;
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.encoded?.set === m.set ? m.encoded.fieldsV1 : toFieldsV1(m.set);
    if (m.info.subresource) e.subresource = m.info.subresource;
    entries.push(e);
  }
  return sortManagedFields(entries);
}

const cmp = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

/** Sorts entries in place as upstream: Apply first, then by time (to the second), manager, version, subresource. */
export function sortManagedFields(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  return entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource, q.subresource),
  );
}

/**
 * A client resets managedFields by sending an empty list or a list of one empty entry
 * (upstream isResetManagedFields); an absent list means "keep what is stored".
 */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && Object.keys(entries[0] as object).length === 0;
}

/** Upstream's DefaultMaxUpdateManagers. */
export const MAX_UPDATE_MANAGERS = 10;
const ANCIENT = 'ancient-changes';

/**
 * Keeps at most MAX_UPDATE_MANAGERS Update entries by folding the oldest into one
 * "ancient-changes" entry per apiVersion (upstream capManagersManager).
 */
export function capUpdateManagers(managed: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...managed.entries()].filter(([, m]) => m.info.operation === 'Update');
  if (updaters.length <= max) return;
  updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || (ia < ib ? -1 : ia > ib ? 1 : 0));
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const [id, m] = updaters[i];
    const info: ManagerInfo = { manager: ANCIENT, operation: 'Update', apiVersion: m.apiVersion };
    const bucketId = managerId(info);
    if (id === bucketId) continue;
    const bucket = managed.get(bucketId);
    if (bucket) {
      bucket.set = bucket.set.union(m.set);
      if (seconds(m.time) > seconds(bucket.time)) bucket.time = m.time;
    } else {
      // Creating the bucket does not change the count: it replaces the entry folded into it.
      managed.set(bucketId, { info, apiVersion: m.apiVersion, set: m.set, time: m.time });
      length++;
    }
    managed.delete(id);
    length--;
  }
}
