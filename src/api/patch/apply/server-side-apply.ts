// Server-side apply (PATCH with application/apply-patch+yaml): merge the applied configuration
// into the live object by schema, prune what this applier dropped, move ownership, and record
// the applier's entry in metadata.managedFields. Mirrors upstream's field manager chain
// (version check, strip meta, managed-fields updater, manager cap) around SMD's Updater.Apply.
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../object.js';
import { parseApiVersion } from '../../object.js';
import type { SchemaNode } from '../../schema.js';
import { badRequest, internalError } from '../../status.js';
import { syncLastApplied } from './last-applied.js';
import { capUpdateManagers, decodeManaged, encodeManaged, managerId, type ManagerInfo } from './managers.js';
import { DuplicateKeyError, deepEqual, isObject, type Typed } from './typed.js';
import { ignoredSet, prune, stripMeta, transferOwnership } from './updater.js';
import { merge, toFieldSet } from './walk.js';

export interface ServerSideApplyArgs {
  /** The stored object in the request's apiVersion, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration (already decoded from YAML/JSON). */
  applied: KubeObject;
  manager: string;
  force: boolean;
  schema: SchemaNode | undefined;
  /** RFC 3339 time recorded on the applier's entry. */
  now: string;
  /** Set when applying to a subresource, e.g. "status". */
  subresource?: string;
  /** Subtrees this endpoint resets and so never grants (the strategy's reset fields), e.g. [['status']]. */
  ignoredPaths?: string[][];
}

function gvkString(apiVersion: string | undefined, kind: string | undefined): string {
  const { group, version } = parseApiVersion(apiVersion ?? '');
  return `${group}/${version}, Kind=${kind ?? ''}`;
}

/** Copy of obj without metadata.managedFields: ownership data is never itself compared or merged. */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  // Shallow: the walks only read the object, so copying the whole tree would be wasted work.
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

/**
 * Applies `applied` over `live`. Throws a 409 StatusError on conflicts (unless force), 400 for
 * a configuration carrying managedFields or of another kind/version, 500 for duplicate keys
 * (as upstream, which fails building the typed patch object).
 */
export function serverSideApply(args: ServerSideApplyArgs): { object: KubeObject } {
  const { live, applied } = args;
  if (applied.metadata?.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (live && (live.apiVersion !== applied.apiVersion || live.kind !== applied.kind)) {
    throw badRequest(`invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`);
  }
  const version = applied.apiVersion ?? live?.apiVersion ?? '';
  const root: Typed = { schema: args.schema };
  const ignored = ignoredSet(args.ignoredPaths);

  let managed;
  try {
    // The live object's entries are the stored ones, this server's own encoding.
    managed = decodeManaged(live?.metadata?.managedFields, true);
  } catch (e) {
    throw internalError(`failed to decode managed fields: ${(e as Error).message}`);
  }
  const liveObj: KubeObject = live ? withoutManagedFields(live) : {};

  let merged: Record<string, unknown>;
  let configSet;
  try {
    configSet = toFieldSet(applied, root);
    const m = merge(liveObj, applied, root);
    merged = isObject(m) ? m : {};
  } catch (e) {
    if (e instanceof DuplicateKeyError) {
      const name = applied.metadata?.name ?? '<unknown>';
      const ns = applied.metadata?.namespace ?? '';
      throw internalError(`failed to create typed patch object (${ns}/${name}; ${gvkString(applied.apiVersion, applied.kind)}): ${e.message}`);
    }
    throw e;
  }

  const info: ManagerInfo = { manager: args.manager, operation: 'Apply', subresource: args.subresource };
  const id = managerId(info);
  const previous = managed.get(id);
  // During pruning the applier's set still holds metadata.name etc., which keeps them alive.
  managed.set(id, { info, apiVersion: version, set: configSet.recursiveDifference(ignored), time: previous?.time });
  merged = prune(merged, managed, previous?.set, root);
  transferOwnership({ old: liveObj, updated: merged, root, managed, id, force: args.force, ignored });
  stripMeta(managed, id);

  const mine = managed.get(id);
  // Upstream stamps the time only when the object changed, so a repeated apply is a no-op.
  if (mine && (!deepEqual(liveObj, merged) || !mine.time)) mine.time = args.now;
  capUpdateManagers(managed);

  const object = merged as KubeObject;
  const metadata: ObjectMeta = isObject(object.metadata) ? object.metadata : {};
  const entries = encodeManaged(managed);
  if (entries) metadata.managedFields = entries;
  else delete metadata.managedFields;
  object.metadata = metadata;
  syncLastApplied(object, applied, args.manager);
  return { object };
}
