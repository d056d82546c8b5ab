// managedFields for a pods/binding write without decoding anyone's fields. A bind of a pod that
// has no node and no conditions yet (the scheduler's common case) sets exactly spec.nodeName and
// adds status.conditions with one PodScheduled condition; the binder's new entry owns exactly
// those fields and, as long as no other manager owns them, nobody else's entry changes. This
// recognizes that shape by comparing the two objects (shared subtrees compare by reference) and
// returns undefined for anything else, which then takes the general path — whose result this
// one equals (test/apiserver/bind-managed-fields.test.ts checks both side by side).
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import { markEncoded, MAX_UPDATE_MANAGERS, sortManagedFields } from '../../api/patch/apply/managers.js';
import { deepFreeze, isEmptyNode, type FieldsV1 } from './create-managed-fields.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The fields a bind of an unbound, condition-less pod takes (FieldsV1, as toFieldsV1 writes it):
 * the same for every bind, so one frozen tree is shared by every binder's entry (the watch cache
 * holds them all; FieldsV1 trees are only read and re-encoded, never changed in place).
 */
const boundFields: FieldsV1 = deepFreeze({
  'f:spec': { 'f:nodeName': {} },
  'f:status': {
    'f:conditions': {
      '.': {},
      'k:{"type":"PodScheduled"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} },
    },
  },
});
const bindFields = (): ManagedFieldsEntry['fieldsV1'] => boundFields;

/**
 * Every key of `a` and `b` but `x1`, `x2` and `x3` holds the same value (by reference) in both.
 * Keys are walked with for-in rather than Object.keys: no key arrays, and `a[k]` is read through
 * the for-in enum cache whatever shape `a` has (the server compares pods, specs, statuses and
 * metadata of every shape here). When every compared value of `a` is defined, equal values mean
 * `b` has each of those keys, so `b` holding no others is a matter of counting them.
 */
function sameExcept(a: Obj, b: Obj, x1: string, x2 = x1, x3 = x1): boolean {
  let count = 0;
  let undefinedSeen = false;
  for (const k in a) {
    if (k === x1 || k === x2 || k === x3) continue;
    const v = a[k];
    if (v !== b[k]) return false;
    if (v === undefined) undefinedSeen = true;
    count++;
  }
  for (const k in b) {
    if (k === x1 || k === x2 || k === x3) continue;
    if (undefinedSeen ? !Object.hasOwn(a, k) : --count < 0) return false;
  }
  return true;
}

/** The bind changed exactly spec.nodeName (was absent) and status.conditions (was absent). */
function isPlainBind(old: KubeObject, next: KubeObject): boolean {
  if (!sameExcept(old, next, 'spec', 'status', 'metadata')) return false;
  const os = old.spec;
  const ns = next.spec;
  const ost = old.status;
  const nst = next.status;
  if (!isObj(os) || !isObj(ns) || !isObj(ost) || !isObj(nst)) return false;
  if (Object.hasOwn(os, 'nodeName') || typeof ns.nodeName !== 'string' || !sameExcept(os, ns, 'nodeName')) return false;
  if (Object.hasOwn(ost, 'conditions') || !sameExcept(ost, nst, 'conditions')) return false;
  const conditions = nst.conditions;
  if (!Array.isArray(conditions) || conditions.length !== 1 || !isObj(conditions[0])) return false;
  if (!isBoundCondition(conditions[0])) return false;
  const om = old.metadata;
  const nm = next.metadata;
  if (!isObj(om) || !isObj(nm)) return false;
  // Identity, revision and generation are never owned; managedFields is what is computed here.
  return sameExcept(om, nm, 'managedFields', 'resourceVersion', 'generation');
}

/** Exactly type PodScheduled, status, lastProbeTime null and lastTransitionTime, all defined. */
function isBoundCondition(c: Obj): boolean {
  let keys = 0;
  for (const k in c) {
    if (k !== 'type' && k !== 'status' && k !== 'lastProbeTime' && k !== 'lastTransitionTime') return false;
    if (c[k] === undefined || !Object.hasOwn(c, k)) return false;
    keys++;
  }
  return keys === 4 && c.type === 'PodScheduled' && c.lastProbeTime === null;
}

/** No other manager may own what the bind sets: then its fields would move, which this does not do. */
function ownsBoundFields(fields: unknown): boolean {
  if (!isObj(fields)) return true;
  const spec = fields['f:spec'];
  const status = fields['f:status'];
  return (isObj(spec) && Object.hasOwn(spec, 'f:nodeName')) || (isObj(status) && Object.hasOwn(status, 'f:conditions'));
}

/**
 * The managedFields after a plain bind by `manager` at `now`, or undefined when this write is not
 * one (the caller then runs the general bookkeeping).
 */
export function bindManagedFields(old: KubeObject, next: KubeObject, manager: string, now: string): ManagedFieldsEntry[] | undefined {
  const version = next.apiVersion ?? old.apiVersion ?? '';
  if (next.metadata?.managedFields !== old.metadata?.managedFields || !isPlainBind(old, next)) return undefined;
  const stored = old.metadata?.managedFields ?? [];
  const entries: ManagedFieldsEntry[] = [];
  let updaters = 1;
  for (const e of stored) {
    // Entries as the general path re-encodes them; anything it would treat differently (an
    // entry it cannot decode, an empty one it drops, the binder's own entry it merges into)
    // is left to it.
    if ((e.operation !== 'Apply' && e.operation !== 'Update') || !e.apiVersion || e.fieldsType !== 'FieldsV1') return undefined;
    if (!isObj(e.fieldsV1) || isEmptyNode(e.fieldsV1 as FieldsV1) || ownsBoundFields(e.fieldsV1)) return undefined;
    if (e.operation === 'Update') {
      updaters++;
      if ((e.manager ?? '') === manager && e.apiVersion === version && e.subresource === 'binding') return undefined;
    }
    const copy: ManagedFieldsEntry = {};
    if (e.manager) copy.manager = e.manager;
    copy.operation = e.operation;
    copy.apiVersion = e.apiVersion;
    if (e.time) copy.time = e.time;
    copy.fieldsType = 'FieldsV1';
    copy.fieldsV1 = e.fieldsV1;
    if (e.subresource) copy.subresource = e.subresource;
    entries.push(copy);
  }
  if (updaters > MAX_UPDATE_MANAGERS) return undefined;
  const mine: ManagedFieldsEntry = {};
  if (manager) mine.manager = manager;
  mine.operation = 'Update';
  mine.apiVersion = version;
  mine.time = now;
  mine.fieldsType = 'FieldsV1';
  mine.fieldsV1 = bindFields();
  mine.subresource = 'binding';
  entries.push(mine);
  // Every entry is a stored one as it was or the bind's own: the list is this server's encoding.
  return markEncoded(sortManagedFields(entries));
}
