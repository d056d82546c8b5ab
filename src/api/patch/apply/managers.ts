// metadata.managedFields in and out: decoding entries into field sets keyed by manager
// identity, and encoding them back in upstream's order. The identity of an entry is its
// manager, operation, subresource and (for Update only) apiVersion, so one applier keeps one
// entry across versions while each updater gets one entry per version.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { boundedMemo } from '../../bounded-memo.js';
import { fromFieldsV1, toFieldsV1, treeIntersects, type FieldsV1 } from './fields-v1.js';
import type { FieldSet } from './fieldset.js';

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
}

/**
 * A stored entry's fields. The stored object's managedFields are this server's own encoding
 * (canonical: encoding the decoded set gives the same tree back), so while the set is the one
 * decoded from the entry — sets are immutable, an operation that changes nothing returns its
 * operand — the entry's tree is its encoding. In a list this server wrote (known valid) the set
 * is decoded only when something reads it: a write usually takes fields from one manager or
 * none, and the others keep their stored tree, and entry, without a decode or an encode.
 */
class StoredManagedSet implements ManagedSet {
  private fields: FieldSet | undefined;
  private decoded: FieldSet | undefined;

  constructor(
    readonly info: ManagerInfo,
    public apiVersion: string,
    public time: string | undefined,
    readonly entry: ManagedFieldsEntry,
    decoded: FieldSet | undefined,
  ) {
    this.fields = this.decoded = decoded;
  }

  get set(): FieldSet {
    if (this.fields === undefined) this.fields = this.decoded = fromFieldsV1(this.entry.fieldsV1);
    return this.fields;
  }

  set set(s: FieldSet) {
    this.fields = s;
  }

  /** The stored tree while the set has not been read (the list is known valid). */
  get undecodedTree(): FieldsV1 | undefined {
    return this.fields === undefined ? (this.entry.fieldsV1 as FieldsV1) : undefined;
  }

  /** The set's FieldsV1: the stored tree while the set is the stored one. */
  fieldsV1(): FieldsV1 {
    const tree = this.entry.fieldsV1 as FieldsV1;
    if (this.fields === this.decoded) return tree;
    return toFieldsV1(this.set, this.decoded && { set: this.decoded, tree });
  }

  /** Whether the stored entry, as it is, is what encoding this manager gives. */
  entryUnchanged(): boolean {
    const e = this.entry;
    return this.fields === this.decoded && this.time === e.time && this.apiVersion === e.apiVersion && hasEncodedKeys(e);
  }
}

/** The keys, in the order, encodeManaged writes an entry with (so the entry can stand for its encoding). */
function hasEncodedKeys(e: ManagedFieldsEntry): boolean {
  const want = ['operation', 'apiVersion'];
  if (e.manager) want.unshift('manager');
  if (e.time) want.push('time');
  want.push('fieldsType', 'fieldsV1');
  if (e.subresource) want.push('subresource');
  const keys = Object.keys(e);
  return keys.length === want.length && keys.every((k, i) => k === want[i]);
}

/** Whether m owns some path of s (m.set.intersects(s)), without decoding a stored entry. */
export function ownsSomeOf(m: ManagedSet, s: FieldSet): boolean {
  const tree = m instanceof StoredManagedSet ? m.undecodedTree : undefined;
  return tree ? treeIntersects(tree, s) : m.set.intersects(s);
}

/** Whether m owns nothing (m.set.isEmpty()), without decoding a stored entry. */
export function ownsNothing(m: ManagedSet): boolean {
  const tree = m instanceof StoredManagedSet ? m.undecodedTree : undefined;
  if (!tree) return m.set.isEmpty();
  for (const _ in tree) return false;
  return true;
}

/**
 * Marks managedFields lists this server encoded (encodeManaged and the create and bind fast
 * paths): every entry in them is valid and canonical. Stored lists are never changed in place.
 * A non-enumerable symbol property (not a WeakSet: one per write adds up) is invisible to JSON,
 * deep-equality and copies, so a copy of a list is not known.
 */
const ENCODED = Symbol('managedFields encoded by this server');

/** Records a managedFields list as this server's own encoding. */
export function markEncoded(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  Object.defineProperty(entries, ENCODED, { value: true });
  return entries;
}

function isEncoded(entries: ManagedFieldsEntry[]): boolean {
  return (entries as { [ENCODED]?: boolean })[ENCODED] === true;
}

/** Manager identity → its fields. Map order carries no meaning; encoding sorts. */
export type Managed = Map<string, ManagedSet>;

/** Upstream's BuildManagerIdentifier: the JSON of the entry without time, fields, and (for Apply) apiVersion. */
export function managerId(info: ManagerInfo): string {
  // JSON.stringify of {manager, operation, apiVersion, subresource} as upstream, written directly.
  let id = '{';
  if (info.manager) id += `"manager":${JSON.stringify(info.manager)},`;
  id += `"operation":${JSON.stringify(info.operation)}`;
  if (info.operation === 'Update' && info.apiVersion) id += `,"apiVersion":${JSON.stringify(info.apiVersion)}`;
  if (info.subresource) id += `,"subresource":${JSON.stringify(info.subresource)}`;
  return `${id}}`;
}

/**
 * Decodes managedFields; throws Error with upstream's wording on an invalid entry. `stored`:
 * the entries are the stored object's, which this server encoded (canonical), so a set is
 * decoded only when read, and an unchanged one keeps its encoding.
 */
export function decodeManaged(entries: ManagedFieldsEntry[] | undefined, stored = false): Managed {
  const managed: Managed = new Map();
  const known = stored && entries !== undefined && isEncoded(entries);
  (entries ?? []).forEach((e, i) => {
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    if (!e.apiVersion) throw new Error('apiVersion must not be empty');
    if (e.fieldsType !== 'FieldsV1') {
      throw new Error(e.fieldsType ? `invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}` : `missing fieldsType in managed fields entry ${i}`);
    }
    const info: ManagerInfo = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, subresource: e.subresource };
    let m: ManagedSet;
    try {
      if (!stored) m = { info, apiVersion: e.apiVersion, set: fromFieldsV1(e.fieldsV1 ?? {}), time: e.time };
      // A list this server wrote is valid and decoded when read; another stored one is checked now.
      else m = new StoredManagedSet(info, e.apiVersion, e.time, e, known ? undefined : fromFieldsV1(e.fieldsV1 ?? {}));
    } catch (err) {
      throw new Error(`error decoding versioned set: error decoding set: ${(err as Error).message}`);
    }
    managed.set(managerId(info), m);
  });
  return managed;
}

// Entries' times repeat (the same few per object, and across objects written in the same
// second): each is parsed once. Bounded.
const parsedSeconds = boundedMemo(1024, (time) => {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
});

function seconds(time: string | undefined): number {
  return time ? parsedSeconds(time) : 0;
}

/** Encodes managed sets as managedFields, sorted as upstream: Apply first, then by time, manager, version, subresource. */
export function encodeManaged(managed: Managed): ManagedFieldsEntry[] | undefined {
  if (managed.size === 0) return undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const m of managed.values()) {
    if (m instanceof StoredManagedSet && m.entryUnchanged()) {
      entries.push(m.entry);
      continue;
    }
    const e: ManagedFieldsEntry = {};
    if (m.info.manager) e.manager = m.info.manager;
    e.operation = m.info.operation;
    e.apiVersion = m.apiVersion;
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m instanceof StoredManagedSet ? m.fieldsV1() : toFieldsV1(m.set);
    if (m.info.subresource) e.subresource = m.info.subresource;
    entries.push(e);
  }
  return markEncoded(sortManagedFields(entries));
}

const cmp = (a: string | undefined, b: string | undefined) => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0);

/** Sorts entries in place as upstream: Apply first, then by time (to the second), manager, version, subresource. */
export function sortManagedFields(entries: ManagedFieldsEntry[]): ManagedFieldsEntry[] {
  // Each time parsed once, not at every comparison (the sort is stable, as upstream's).
  const keyed = entries.map((e) => ({ e, t: seconds(e.time) }));
  keyed.sort(
    (p, q) =>
      cmp(p.e.operation, q.e.operation) ||
      p.t - q.t ||
      cmp(p.e.manager, q.e.manager) ||
      cmp(p.e.apiVersion, q.e.apiVersion) ||
      cmp(p.e.subresource, q.e.subresource),
  );
  keyed.forEach((k, i) => (entries[i] = k.e));
  return entries;
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
