// PATCH: JSON patch, merge patch and strategic merge patch applied to the stored object inside a
// guaranteed update (re-applied on a lost race), and server-side apply (creates when absent).
import type { KubeObject } from '../../api/object.js';
import { groupVersion } from '../../api/object.js';
import { applyPatch, patchTypeFromContentType } from '../../api/patch/index.js';
import { serverSideApply } from '../../api/patch/apply/index.js';
import { badRequest, methodNotAllowed, StatusError, unsupportedMediaType } from '../../api/status.js';
import { decodeJSON, decodeYAML, readBody } from '../http/body.js';
import { formatTime, type RequestContext } from '../registry/context.js';
import type { ResourceRequest } from './resource.js';
import { writeObject } from './resource.js';
import { checkFields } from './field-check.js';
import { resetFields } from './reset-fields.js';
import { fieldValidation, writeContext, type FieldValidation } from './request-context.js';

export async function handlePatch(r: ResourceRequest): Promise<void> {
  const contentType = r.req.headers['content-type'] ?? '';
  const type = patchTypeFromContentType(contentType);
  if (!type) {
    throw unsupportedMediaType(contentType);
  }
  // Custom resources have no Go struct tags to merge by: upstream refuses strategic merge.
  if (type === 'strategic' && r.entry.custom) {
    throw new StatusError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  }
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  const mode = fieldValidation(r.query);
  const body = await readBody(r.req);
  if (type === 'apply') return handleApply(r, body, ctx, mode);
  if (r.query.get('force') !== null) throw badRequest('force: Invalid value: force is only allowed for apply patches');
  const patch = decodeJSON(body).value;
  const schema = r.entry.schema();
  const precondition = patchResourceVersion(type, patch);
  const updated = await r.store.update(r.entry, r.info.namespace, r.info.name, r.info.subresource, ctx, (current) => {
    const patched = applyPatch(type, current, patch, schema);
    keepTypeMeta(r, patched, current);
    // Only a resourceVersion the patch itself carries is a precondition; otherwise a lost race
    // re-applies the patch to the newer object, as upstream's patcher does.
    if (!precondition && patched.metadata) delete patched.metadata.resourceVersion;
    checkFields(r.entry, patched, undefined, mode, ctx);
    return patched;
    // Every patch algorithm returns a new object sharing nothing with its inputs. A status
    // write takes only the patched status from it, so it may start from the cached object.
  }, { freshResult: true, cacheFirst: r.info.subresource === 'status' });
  writeObject(r, 200, updated, ctx);
}

/** The resourceVersion a patch sets, if any (a JSON patch op on /metadata/resourceVersion counts). */
function patchResourceVersion(type: string, patch: unknown): string | undefined {
  if (type === 'json') {
    const ops = Array.isArray(patch) ? (patch as { path?: unknown; value?: unknown }[]) : [];
    const op = ops.find((o) => o && (o.path === '/metadata/resourceVersion' || o.path === '/metadata'));
    if (!op) return undefined;
    return op.path === '/metadata' ? (op.value as { resourceVersion?: string } | undefined)?.resourceVersion : String(op.value);
  }
  const meta = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string' && meta.resourceVersion ? meta.resourceVersion : undefined;
}

function keepTypeMeta(r: ResourceRequest, patched: KubeObject, current: KubeObject): void {
  if (patched.kind !== current.kind || patched.apiVersion !== current.apiVersion) {
    throw badRequest(`the patch may not change the object's kind or apiVersion (from ${String(current.apiVersion)}/${String(current.kind)})`);
  }
  if (patched.metadata?.name !== current.metadata?.name) {
    throw badRequest(`the name of the object (${String(patched.metadata?.name)}) does not match the name on the URL (${r.info.name})`);
  }
}

/**
 * An apply request's field manager, configuration (decoded, of this kind and version, naming
 * the object on the URL, its fields checked) and force flag.
 */
export function applyRequest(r: ResourceRequest, body: Buffer, ctx: RequestContext, mode: FieldValidation): { manager: string; config: KubeObject; force: boolean } {
  const manager = r.query.get('fieldManager');
  if (!manager) throw badRequest('PATCH, fieldManager: Required value: is required for apply patch');
  if (!r.entry.type.verbs.includes('patch') && !r.info.subresource) throw methodNotAllowed('patch', r.entry.gr);
  const applied = decodeYAML(body);
  if (applied === null || typeof applied !== 'object' || Array.isArray(applied)) throw badRequest('error decoding YAML: the apply configuration must be an object');
  const config = applied as KubeObject;
  const t = r.entry.type;
  const expectedVersion = groupVersion(t.group, t.version);
  if (config.apiVersion !== expectedVersion || config.kind !== t.kind) {
    throw badRequest(`the API version and kind in the apply configuration (${String(config.apiVersion)}, ${String(config.kind)}) must be ${expectedVersion}, ${t.kind}`);
  }
  if (config.metadata?.name !== undefined && config.metadata.name !== r.info.name) {
    throw badRequest(`the name of the object (${config.metadata.name}) does not match the name on the URL (${r.info.name})`);
  }
  checkFields(r.entry, config, undefined, mode, ctx);
  return { manager, config, force: r.query.get('force') === 'true' };
}

async function handleApply(r: ResourceRequest, body: Buffer, ctx: RequestContext, mode: FieldValidation): Promise<void> {
  const { manager, config, force } = applyRequest(r, body, ctx, mode);
  const schema = r.entry.schema();
  const now = formatTime(ctx.now);
  const ignoredPaths = resetFields(r.entry, r.info.subresource);
  ctx.managedFieldsSet = true;
  let created = false;
  const result = await r.store.update(
    r.entry,
    r.info.namespace,
    r.info.name,
    r.info.subresource,
    ctx,
    (current) => {
      const obj = serverSideApply({ live: current, applied: config, manager, force, schema, now, subresource: r.info.subresource, ignoredPaths }).object;
      if (!config.metadata?.resourceVersion && obj.metadata) delete obj.metadata.resourceVersion;
      return obj;
    },
    {
      createIfMissing: async () => {
        if (r.info.subresource) throw badRequest(`cannot apply the ${r.info.subresource} of an object that does not exist`);
        created = true;
        const obj = serverSideApply({ live: undefined, applied: config, manager, force, schema, now, ignoredPaths }).object;
        obj.metadata = { ...obj.metadata, name: r.info.name };
        return r.store.create(r.entry, r.info.namespace, obj, ctx);
      },
    },
  );
  writeObject(r, created ? 201 : 200, result, ctx);
}
