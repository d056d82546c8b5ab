// pods/ephemeralcontainers (upstream EphemeralContainersREST with podEphemeralContainersStrategy):
// GET answers the pod; PUT, PATCH (JSON, merge, strategic merge — what `kubectl debug` sends) and
// server-side apply change only spec.ephemeralContainers. Every other change in the body is
// dropped, as upstream's dropNonEphemeralContainerUpdates does; the new pod is validated as any
// pod, and existing ephemeral containers may not be removed or changed. An applier owns only
// what it applied under spec.ephemeralContainers (the strategy's reset-fields filter), recorded
// with subresource "ephemeralcontainers"; a missing pod is 404, never created.
import type { KubeObject } from '../../api/object.js';
import { defaultContainer } from '../../api/defaults/pod.js';
import { serverSideApply } from '../../api/patch/apply/index.js';
import { applyPatch, patchTypeFromContentType, type PatchType } from '../../api/patch/index.js';
import type { SchemaNode } from '../../api/schema.js';
import { badRequest, invalid, methodNotAllowed, unsupportedMediaType, type FieldError } from '../../api/status.js';
import { validatePodEphemeralContainersUpdate } from '../../api/validation/pod.js';
import { decodeJSON, readBody } from '../http/body.js';
import { formatTime } from '../registry/context.js';
import { checkFields } from './field-check.js';
import { applyRequest } from './patch.js';
import { fieldValidation, writeContext } from './request-context.js';
import { readObject, writeObject, type ResourceRequest } from './resource.js';

export async function handleEphemeralContainers(r: ResourceRequest): Promise<void> {
  const { entry, info } = r;
  if (info.verb === 'get') {
    const obj = await r.store.get(entry, info.namespace, info.name, r.query.get('resourceVersion') ?? undefined);
    writeObject(r, 200, obj, undefined, true);
    return;
  }
  if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotAllowed(info.verb, entry.gr);
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  const mode = fieldValidation(r.query);
  let change: (current: KubeObject) => KubeObject;
  if (info.verb === 'update') {
    const { obj, jsonText } = await readObject(r);
    checkFields(entry, obj, jsonText, mode, ctx);
    if (obj.metadata?.name !== undefined && obj.metadata.name !== info.name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
    }
    if (obj.metadata?.namespace && obj.metadata.namespace !== info.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    change = () => obj;
  } else {
    const contentType = r.req.headers['content-type'] ?? '';
    const type = patchTypeFromContentType(contentType);
    if (!type) throw unsupportedMediaType(contentType);
    const body = await readBody(r.req);
    const schema = entry.schema();
    if (type === 'apply') {
      const { manager, config, force } = applyRequest(r, body, ctx, mode);
      const now = formatTime(ctx.now);
      ctx.managedFieldsSet = true;
      change = (current) => {
        const ignoredPaths = outsideEphemeralContainers(config, current);
        const applied = serverSideApply({ live: current, applied: config, manager, force, schema, now, subresource: 'ephemeralcontainers', ignoredPaths }).object;
        if (!config.metadata?.resourceVersion && applied.metadata) delete applied.metadata.resourceVersion;
        return applied;
      };
    } else {
      if (r.query.get('force') !== null) throw badRequest('force: Invalid value: force is only allowed for apply patches');
      change = patchChange(type, decodeJSON(body).value, schema, (patched) => checkFields(entry, patched, undefined, mode, ctx));
    }
  }
  const updated = await r.store.update(entry, info.namespace, info.name, 'ephemeralcontainers', ctx, (current) => keepEphemeralContainers(change(current), current), {
    // The store validates a server subresource's write without the old pod; these rules need it.
    // They run here, after mutating admission as upstream's ValidateUpdate, and cover the whole
    // pod, so the store's own pass has nothing left to find.
    validateChanges: (next, current) => {
      const errors = validatePodEphemeralContainersUpdate(next, current, entry.strategy.validate?.(next) ?? []);
      if (errors.length) throw invalid(entry.type.kind, entry.type.group, info.name, errors);
      return noErrors;
    },
  });
  writeObject(r, 200, updated, ctx);
}

const noErrors: FieldError[] = [];

/** A JSON, merge or strategic merge patch of the pod, its result's fields checked by `check`. */
function patchChange(type: Exclude<PatchType, 'apply'>, patch: unknown, schema: SchemaNode | undefined, check: (patched: KubeObject) => void): (current: KubeObject) => KubeObject {
  return (current) => {
    const patched = applyPatch(type, current, patch, schema);
    check(patched);
    // A resourceVersion the patch changed is its precondition; the current one it kept is
    // none, so a lost race re-applies the patch to the newer pod.
    if (patched.metadata?.resourceVersion === current.metadata?.resourceVersion) delete patched.metadata?.resourceVersion;
    return patched;
  };
}

/**
 * Upstream's reset-fields filter for this subresource keeps only spec.ephemeralContainers: every
 * other field the configuration or the pod has is one an applier here neither owns nor takes
 * from another manager (the strategy drops its changes anyway).
 */
function outsideEphemeralContainers(config: KubeObject, current: KubeObject): string[][] {
  const keys = (...objs: unknown[]) => new Set(objs.flatMap((o) => (o && typeof o === 'object' && !Array.isArray(o) ? Object.keys(o) : [])));
  const paths: string[][] = [];
  for (const k of keys(config, current)) if (k !== 'spec') paths.push([k]);
  for (const k of keys(config.spec, current.spec)) if (k !== 'ephemeralContainers') paths.push(['spec', k]);
  return paths;
}

/**
 * The current pod with the proposed ephemeral containers (defaulted as a decoded pod's would be)
 * and, as a precondition, the resourceVersion the proposal carries (a PUT's; a patch's own).
 */
function keepEphemeralContainers(proposed: KubeObject, current: KubeObject): KubeObject {
  const list = (proposed.spec as { ephemeralContainers?: unknown } | undefined)?.ephemeralContainers;
  const spec: Record<string, unknown> = { ...(current.spec as Record<string, unknown> | undefined) };
  if (Array.isArray(list)) {
    for (const c of list) if (c && typeof c === 'object' && !Array.isArray(c)) defaultContainer(c as Record<string, unknown>);
    spec.ephemeralContainers = list;
  } else {
    delete spec.ephemeralContainers;
  }
  const meta: NonNullable<KubeObject['metadata']> = { ...current.metadata };
  const managedFields = proposed.metadata?.managedFields;
  if (managedFields !== undefined) meta.managedFields = managedFields;
  const rv = proposed.metadata?.resourceVersion;
  if (rv) meta.resourceVersion = rv;
  else delete meta.resourceVersion;
  return { ...current, spec, metadata: meta };
}
