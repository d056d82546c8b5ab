// managedFields bookkeeping for every write that is not an apply (create, update, non-apply
// patch): the writer takes the fields it changed, others lose them, one entry per (manager,
// Update, apiVersion, subresource). Mirrors upstream FieldManager.Update with the
// managed-fields updater's "current operation" step.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../object.js';
import type { SchemaNode } from '../../schema.js';
import { FieldSet } from './fieldset.js';
import { capUpdateManagers, decodeManaged, encodeManaged, isResetManagedFields, managerId, type Managed, type ManagerInfo } from './managers.js';
import { withoutManagedFields } from './server-side-apply.js';
import { deepEqual, isObject, shapeOf, type Typed } from './typed.js';
import { ignoredSet, stripMeta, transferOwnership } from './updater.js';

export interface UpdateManagedFieldsArgs {
  /** The stored object; undefined on create. */
  old: KubeObject | undefined;
  /** The object about to be stored; its metadata.managedFields is rewritten in place. */
  updated: KubeObject;
  manager: string;
  operation: 'Update';
  subresource?: string;
  schema: SchemaNode | undefined;
  now: string;
  ignoredPaths?: string[][];
}

const CURRENT = '\u0000current-operation';

function decodeOrEmpty(entries: ManagedFieldsEntry[] | undefined, stored: boolean): Managed {
  try {
    return decodeManaged(entries, stored);
  } catch {
    return new Map();
  }
}

function sameEntries(sent: ManagedFieldsEntry[] | undefined, stored: ManagedFieldsEntry[] | undefined): boolean {
  if (!Array.isArray(sent) || !stored || sent.length !== stored.length) return false;
  return sent === stored || sent.every((e, i) => deepEqual(e, stored[i]));
}

/**
 * Which managedFields the write starts from: the live ones for a subresource; none when the
 * client resets them ([] or [{}]); the client's own when they decode and are not empty (so a
 * client may edit them); otherwise the live ones — invalid entries from a client are ignored.
 */
function startingManaged(old: KubeObject | undefined, updated: KubeObject, isSubresource: boolean): Managed {
  const sent = updated.metadata?.managedFields;
  // The stored entries are in this server's canonical encoding; a client's may not be.
  if (isSubresource) return decodeOrEmpty(old?.metadata?.managedFields, true);
  if (isResetManagedFields(sent)) return new Map();
  // A client sending back what it read (a read-modify-write) starts from the stored entries,
  // which decode to the same sets and are already encoded.
  if (sameEntries(sent, old?.metadata?.managedFields)) return decodeOrEmpty(old?.metadata?.managedFields, true);
  try {
    const managed = decodeManaged(sent);
    if (managed.size > 0) return managed;
  } catch {
    // fall through to the stored entries
  }
  return decodeOrEmpty(old?.metadata?.managedFields, true);
}

/**
 * What a freshly created object is compared against. Upstream compares with the zero value of
 * the Go type, in which nested structs already exist as {} — so creating {spec: {replicas: 1}}
 * owns spec.replicas but not spec itself. Structs reached through structs are seeded likewise.
 */
function createBaseline(v: unknown, t: Typed): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const shape = shapeOf(t, v);
  if (shape.kind !== 'struct' || shape.atomic || !isObject(v)) return out;
  for (const [k, child] of Object.entries(v)) {
    const f = shape.field(k);
    if (!f || !isObject(child)) continue;
    const cs = shapeOf(f, child);
    if (cs.kind === 'struct' && !cs.atomic) out[k] = createBaseline(child, f);
  }
  return out;
}

export function updateManagedFields(args: UpdateManagedFieldsArgs): void {
  const { updated } = args;
  const version = updated.apiVersion ?? args.old?.apiVersion ?? '';
  const root: Typed = { schema: args.schema };
  const ignored = ignoredSet(args.ignoredPaths);
  const managed = startingManaged(args.old, updated, !!args.subresource);

  const newObj = withoutManagedFields(updated);
  const oldObj = args.old ? withoutManagedFields(args.old) : createBaseline(newObj, root);
  managed.delete(CURRENT);
  const c = transferOwnership({ old: oldObj, updated: newObj, root, managed, id: CURRENT, force: true, ignored });
  const taken = new FieldSet().union(c.modified).union(c.added).difference(c.removed).recursiveDifference(ignored);
  if (!taken.isEmpty()) managed.set(CURRENT, { info: { operation: 'Update' }, apiVersion: version, set: taken });
  stripMeta(managed, CURRENT);

  const current = managed.get(CURRENT);
  if (current) {
    managed.delete(CURRENT);
    const info: ManagerInfo = { manager: args.manager, operation: 'Update', apiVersion: version, subresource: args.subresource };
    const id = managerId(info);
    const previous = managed.get(id);
    if (previous) {
      // Same identity, so the same manager, operation, apiVersion and subresource: the entry
      // takes the fields and the time (kept in place, an unchanged set keeps its encoding).
      // Union is symmetric; adding the new fields to the previous ones keeps what they had.
      previous.set = previous.set.union(current.set);
      previous.time = args.now;
    } else {
      managed.set(id, { info, apiVersion: version, set: current.set, time: args.now });
    }
  }
  capUpdateManagers(managed);

  const entries = encodeManaged(managed);
  if (entries) {
    updated.metadata = { ...(updated.metadata ?? {}), managedFields: entries };
  } else if (updated.metadata) {
    delete updated.metadata.managedFields;
  }
}
