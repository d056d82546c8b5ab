// Subresources with behaviour of their own: scale (autoscaling/v1 Scale over a workload's
// replicas), pods/binding (the scheduler's bind), pods/eviction (PDB-aware delete),
// pods/ephemeralcontainers (ephemeral-containers.ts), namespaces/finalize, and the node-agent
// streams (log, exec, attach, portforward, proxy; all but log admitted as CONNECT first).
import type { KubeObject, StoredObject } from '../../api/object.js';
import { copyJson } from '../../api/json-copy.js';
import { validateAnnotations } from '../../api/validation/objectmeta.js';
import { isDNS1123Subdomain } from '../../api/validation/names.js';
import { applyPatch, patchTypeFromContentType } from '../../api/patch/index.js';
import { formatLabelSelector, labelSelectorAsSelector, matchesLabels } from '../../api/selectors/labels.js';
import { badRequest, conflict, invalid, type FieldError, methodNotAllowed, notFound, StatusError, serviceUnavailable, tooManyRequests, unsupportedMediaType } from '../../api/status.js';
import { decodeJSON, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import { formatTime } from '../registry/context.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ApiServer } from '../server.js';
import { readObject, type ResourceRequest } from './resource.js';
import { writeContext } from './request-context.js';
import { podProxyTarget, relayHttp, serviceProxyTarget } from './pod-service-proxy.js';
import { kubeletLocation, relayRequest, relayUpgrade, upgradeHead, type UpgradeRequest } from './node-proxy.js';
import { handleCsrApproval } from './csr-approval.js';
import { handleEphemeralContainers } from './ephemeral-containers.js';
import { admitConnect, connectSubresources } from './connect-admission.js';

type Handler = (api: ApiServer, r: ResourceRequest) => Promise<void>;

const scalable = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets', '/replicationcontrollers']);
const nodeStreams = new Set(['log', 'exec', 'attach', 'portforward', 'proxy']);

export function hasSubresourceHandler(entry: ResourceEntry, sub: string): boolean {
  const key = `${entry.type.group}/${entry.type.plural}`;
  if (!entry.type.subresources.some((s) => s.name === sub)) return false;
  if (sub === 'scale') return scalable.has(key) || entry.custom?.scale !== undefined;
  if (key === '/pods') return sub === 'binding' || sub === 'eviction' || sub === 'ephemeralcontainers' || nodeStreams.has(sub);
  if (key === '/namespaces') return sub === 'finalize';
  if (key === '/serviceaccounts') return sub === 'token';
  if (key === '/nodes' || key === '/services') return sub === 'proxy';
  if (key === 'certificates.k8s.io/certificatesigningrequests') return sub === 'approval';
  return false;
}

export async function handleSubresource(api: ApiServer, r: ResourceRequest): Promise<void> {
  const sub = r.info.subresource;
  const handler: Handler | undefined =
    sub === 'scale' ? handleScale : sub === 'binding' ? handleBinding : sub === 'eviction' ? handleEviction : sub === 'ephemeralcontainers' ? (_api, req) => handleEphemeralContainers(req) : sub === 'finalize' ? handleFinalize : sub === 'token' ? handleTokenRequest : sub === 'approval' ? handleCsrApproval : nodeStreams.has(sub) ? handleNodeStream : undefined;
  if (!handler) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  return handler(api, r);
}

const success = (code: number) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code });

// ---- scale --------------------------------------------------------------------------------

/** A CRD's scale path (".spec.replicas"): the value there, if any. */
function atPath(obj: KubeObject, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.').slice(1)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function setAtPath(obj: KubeObject, path: string, value: unknown): void {
  const keys = path.split('.').slice(1);
  let o = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

function toScale(obj: StoredObject, entry: ResourceEntry): KubeObject {
  const paths = entry.custom?.scale;
  const spec = (paths ? { replicas: atPath(obj, paths.specReplicasPath) } : (obj.spec ?? {})) as { replicas?: number; selector?: unknown };
  const status = (paths ? { replicas: atPath(obj, paths.statusReplicasPath) } : (obj.status ?? {})) as { replicas?: number };
  const customSelector = paths?.labelSelectorPath ? atPath(obj, paths.labelSelectorPath) : undefined;
  const selector = paths ? (typeof customSelector === 'string' ? customSelector : '') : spec.selector && typeof spec.selector === 'object' && ('matchLabels' in spec.selector || 'matchExpressions' in spec.selector)
    ? formatLabelSelector(spec.selector as never)
    : Object.entries((spec.selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

async function handleScale(_api: ApiServer, r: ResourceRequest): Promise<void> {
  const { entry, info } = r;
  if (info.verb === 'get') {
    const obj = await r.store.get(entry, info.namespace, info.name, r.query.get('resourceVersion') ?? undefined);
    writeJSON(r.res, 200, toScale(obj, entry));
    return;
  }
  if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotAllowed(info.verb, entry.gr);
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  let change: (scale: KubeObject) => KubeObject;
  if (info.verb === 'update') {
    const { obj } = await readObject(r, 'Scale', 'autoscaling', 'v1');
    change = () => obj;
  } else {
    const type = patchTypeFromContentType(r.req.headers['content-type'] ?? '');
    if (!type || type === 'apply') throw unsupportedMediaType(r.req.headers['content-type'] ?? '');
    const patch = decodeJSON(await readBody(r.req)).value;
    change = (scale) => applyPatch(type, scale, patch, undefined);
  }
  const updated = await r.store.update(entry, info.namespace, info.name, 'scale', ctx, (current) => {
    const wanted = change(toScale(current as StoredObject, entry));
    const replicas = (wanted.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', info.name, [{ type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
    }
    const next = copyJson(current);
    if (entry.custom?.scale) setAtPath(next, entry.custom.scale.specReplicasPath, replicas);
    else next.spec = { ...(next.spec as object), replicas };
    // A resourceVersion the client sent in the Scale is a precondition on the parent; without
    // one (kubectl scale's merge patch) a lost race is retried.
    const rv = patchedScaleVersion(info.verb, wanted, current);
    next.metadata = { ...next.metadata };
    if (rv) next.metadata.resourceVersion = rv;
    else delete next.metadata.resourceVersion;
    return next;
  });
  writeJSON(r.res, 200, toScale(updated, entry));
}

/** PUT carries the client's resourceVersion; a patch only if it changed the Scale's own. */
function patchedScaleVersion(verb: string, wanted: KubeObject, current: KubeObject): string | undefined {
  const rv = wanted.metadata?.resourceVersion;
  if (verb === 'update') return rv || undefined;
  return rv && rv !== current.metadata?.resourceVersion ? rv : undefined;
}

// ---- binding ------------------------------------------------------------------------------

/** Binds a pod to a node: shared by pods/binding and the core bindings resource. */
export async function bindPod(api: ApiServer, r: ResourceRequest, podName: string, binding: KubeObject): Promise<void> {
  const target = binding.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) {
    throw invalid('Binding', '', podName, [{ type: 'FieldValueRequired', field: 'target.name', detail: '' }]);
  }
  if (target.kind && target.kind !== 'Node') {
    throw invalid('Binding', '', podName, [{ type: 'FieldValueNotSupported', field: 'target.kind', value: target.kind, detail: 'supported values: "Node"' }]);
  }
  const pods = api.registry.find('', 'v1', 'pods')!;
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  const gr = { group: '', resource: 'pods/binding' };
  const annotations = binding.metadata?.annotations;
  await r.store.update(
    pods,
    r.info.namespace,
    podName,
    'binding',
    ctx,
    (current) => {
      const spec = (current.spec ?? {}) as { nodeName?: string };
      if (current.metadata?.deletionTimestamp) throw conflict(gr, podName, `pod ${podName} is being deleted, cannot be assigned to a host`);
      if (spec.nodeName) throw conflict(gr, podName, `pod ${podName} is already assigned to node "${spec.nodeName}"`);
      const uid = binding.metadata?.uid;
      if (uid && uid !== current.metadata?.uid) throw conflict(gr, podName, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata?.uid}`);
      // As upstream's setPodHostAndAnnotations: only nodeName, the annotations and the
      // PodScheduled condition change. The new pod is copied from the stored one along those
      // paths only; every other subtree is shared with it (nothing modifies them).
      const status = (current.status ?? {}) as { conditions?: { type: string }[] };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatTime(ctx.now) } as never);
      const metadata = annotations ? withProperty(current.metadata ?? {}, 'annotations', { ...current.metadata?.annotations, ...annotations }) : { ...current.metadata };
      // (One literal: keys current has keep their places, missing ones follow in this order.)
      const next: KubeObject = { ...current, spec: withProperty(spec, 'nodeName', target.name), status: withProperty(status, 'conditions', conditions), metadata };
      return next;
    },
    { freshResult: true, cacheFirst: true, validateChanges: (next) => validateBindingChanges(next, annotations !== undefined) },
  );
  writeJSON(r.res, 201, bound);
}

/** The Status every successful bind answers with, serialized once. */
const bound = JSON.stringify(success(201));

/**
 * `{ ...obj, [key]: value }`, built without the spread: Node 20's V8 takes its slow path for a
 * spread followed by a key the source lacks (measured: 1-2.5 µs instead of ~0.1 µs for a pod's
 * spec). Object.assign copies the same own enumerable properties; only an own "__proto__" key,
 * which it would turn into a prototype, is left to the spread.
 */
function withProperty<T extends object>(obj: T, key: string, value: unknown): T {
  if (Object.hasOwn(obj, '__proto__')) return { ...obj, [key]: value };
  const copy = Object.assign({}, obj) as Record<string, unknown>;
  copy[key] = value;
  return copy as T;
}

/**
 * What a bind can make invalid in a pod: the node name, and the annotations when the Binding
 * carries some (pod validation does not look at status conditions). The rest of the pod is as
 * stored, so it is not validated again.
 */
function validateBindingChanges(next: KubeObject, annotationsChanged: boolean): FieldError[] {
  const nodeName = (next.spec as { nodeName?: unknown } | undefined)?.nodeName;
  const errs: FieldError[] = [];
  if (typeof nodeName === 'string' && nodeName) errs.push(...isDNS1123Subdomain(nodeName).map((detail) => ({ type: 'FieldValueInvalid' as const, field: 'spec.nodeName', value: nodeName, detail })));
  if (annotationsChanged) errs.push(...validateAnnotations(next.metadata?.annotations, 'metadata.annotations'));
  return errs;
}

async function handleBinding(api: ApiServer, r: ResourceRequest): Promise<void> {
  if (r.info.verb !== 'create') throw methodNotAllowed(r.info.verb, r.entry.gr);
  const { obj } = await readObject(r, 'Binding', '', 'v1');
  if (obj.metadata?.name && obj.metadata.name !== r.info.name) {
    throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${r.info.name})`);
  }
  return bindPod(api, r, r.info.name, obj);
}

// ---- eviction -----------------------------------------------------------------------------

interface PDB extends StoredObject {
  spec?: { selector?: never };
  status?: { disruptionsAllowed?: number; observedGeneration?: number; disruptedPods?: Record<string, string>; currentHealthy?: number; desiredHealthy?: number };
}

async function handleEviction(api: ApiServer, r: ResourceRequest): Promise<void> {
  if (r.info.verb !== 'create') throw methodNotAllowed(r.info.verb, r.entry.gr);
  const { obj: eviction } = await readObject(r, 'Eviction', 'policy', 'v1');
  const { info } = r;
  if (eviction.metadata?.name && eviction.metadata.name !== info.name) {
    throw badRequest(`name in URL does not match name in Eviction object`);
  }
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  await r.store.admitSubresourceCreate(r.entry, 'eviction', info.namespace, info.name, eviction, ctx);
  const pod = await r.store.get(r.entry, info.namespace, info.name);
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  const deleteOptions = (eviction.deleteOptions ?? {}) as { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } };
  // Upstream's canIgnorePDB: finished, pending and already-terminating pods cost no availability.
  const ignoresBudget = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
  if (!ignoresBudget) {
    const pdbEntry = api.registry.find('policy', 'v1', 'poddisruptionbudgets')!;
    const all = (await r.store.list(pdbEntry, info.namespace, {})).items as PDB[];
    const matching = all.filter((pdb) => {
      const sel = pdb.spec?.selector;
      return sel !== undefined && matchesLabels(labelSelectorAsSelector(sel), pod.metadata.labels);
    });
    if (matching.length > 1) {
      throw new StatusError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    const pdb = matching[0];
    const unhealthyMayGo = pdb !== undefined && !isPodReady(pod) && unhealthyPodMayBeEvicted(pdb);
    if (pdb && !unhealthyMayGo) {
      await r.store.update(pdbEntry, info.namespace, pdb.metadata.name, 'status', ctx, (current) => {
        const c = current as PDB;
        const status = c.status ?? {};
        // Upstream's checkAndDecrement: a budget its controller has not yet observed cannot
        // vouch for anything; one with no disruptions left says how far it is from healthy.
        const processing = (status.observedGeneration ?? 0) < (c.metadata.generation ?? 0);
        if (processing || (status.disruptionsAllowed ?? 0) <= 0) {
          const err = tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.");
          const message = processing
            ? `The disruption budget ${c.metadata.name} is still being processed by the server.`
            : `The disruption budget ${c.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`;
          (err as { details?: unknown }).details = { causes: [{ reason: 'DisruptionBudget', message }] };
          throw err;
        }
        const next = copyJson(c);
        next.status = { ...status, disruptionsAllowed: (status.disruptionsAllowed ?? 0) - 1, disruptedPods: { ...status.disruptedPods, [info.name]: formatTime(ctx.now) } };
        return next;
      });
    }
  }
  // Upstream marks the pod with DisruptionTarget before it deletes it, so its controller (and
  // the Job's podFailurePolicy) can tell an eviction from a failure.
  if (!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    await r.store
      .update(r.entry, info.namespace, info.name, 'status', ctx, (current) => {
        const next = copyJson(current);
        const status = (next.status ?? {}) as { conditions?: { type: string }[] };
        const conditions = (status.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget');
        conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: formatTime(ctx.now) } as never);
        next.status = { ...status, conditions };
        return next;
      })
      .catch((err: unknown) => {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      });
  }
  await r.store.delete(r.entry, info.namespace, info.name, { gracePeriodSeconds: deleteOptions.gracePeriodSeconds, preconditions: deleteOptions.preconditions }, ctx);
  writeJSON(r.res, 201, success(201));
}

function isPodReady(pod: StoredObject): boolean {
  const conditions = (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** unhealthyPodEvictionPolicy: AlwaysAllow, or IfHealthyBudget (default) while the budget is met. */
function unhealthyPodMayBeEvicted(pdb: PDB): boolean {
  const policy = (pdb.spec as { unhealthyPodEvictionPolicy?: string } | undefined)?.unhealthyPodEvictionPolicy ?? 'IfHealthyBudget';
  if (policy === 'AlwaysAllow') return true;
  const status = pdb.status ?? {};
  const desired = status.desiredHealthy ?? 0;
  return desired > 0 && (status.currentHealthy ?? 0) >= desired;
}

// ---- namespaces/finalize ------------------------------------------------------------------

async function handleFinalize(_api: ApiServer, r: ResourceRequest): Promise<void> {
  if (r.info.verb !== 'update') throw methodNotAllowed(r.info.verb, r.entry.gr);
  const { obj } = await readObject(r);
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  const finalizers = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  const updated = await r.store.update(r.entry, '', r.info.name, 'finalize', ctx, (current) => {
    const next = copyJson(current);
    next.spec = { ...(next.spec as object), finalizers };
    if (!finalizers.length) delete (next.spec as { finalizers?: string[] }).finalizers;
    if (obj.metadata?.resourceVersion) next.metadata = { ...next.metadata, resourceVersion: obj.metadata.resourceVersion };
    return next;
  });
  writeJSON(r.res, 200, updated);
}

// ---- serviceaccounts/token ----------------------------------------------------------------

/** Upstream refuses tokens shorter than 10 minutes; 1 hour is the default. */
const minTokenSeconds = 600;

async function handleTokenRequest(api: ApiServer, r: ResourceRequest): Promise<void> {
  if (r.info.verb !== 'create') throw methodNotAllowed(r.info.verb, r.entry.gr);
  if (!api.tokens) throw serviceUnavailable('service account token signing is not configured on this server');
  const { obj } = await readObject(r, 'TokenRequest', 'authentication.k8s.io', 'v1');
  const { info } = r;
  const ctx = writeContext(r.query, r.user, r.req.headers['user-agent']);
  await r.store.admitSubresourceCreate(r.entry, 'token', info.namespace, info.name, obj, ctx);
  const account = await r.store.get(r.entry, info.namespace, info.name);
  const spec = (obj.spec ?? {}) as { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null };
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < minTokenSeconds) {
    throw invalid('TokenRequest', 'authentication.k8s.io', info.name, [{ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', value: expirationSeconds, detail: 'may not specify a duration less than 10 minutes' }]);
  }
  if (expirationSeconds > 2 ** 32) {
    throw invalid('TokenRequest', 'authentication.k8s.io', info.name, [{ type: 'FieldValueTooLong', field: 'spec.expirationSeconds', value: expirationSeconds, detail: 'may not specify a duration larger than 2^32 seconds' }]);
  }
  let boundObject: { kind: 'Pod' | 'Secret' | 'Node'; name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef;
  if (ref?.name) {
    const kinds = { Pod: 'pods', Secret: 'secrets', Node: 'nodes' } as const;
    const kind = ref.kind as keyof typeof kinds;
    if (!(kind in kinds)) {
      throw invalid('TokenRequest', 'authentication.k8s.io', info.name, [{ type: 'FieldValueNotSupported', field: 'spec.boundObjectRef.kind', value: ref.kind, detail: 'supported values: "Pod", "Node", "Secret"' }]);
    }
    const entry = api.registry.find('', 'v1', kinds[kind])!;
    const target = await r.store.get(entry, kind === 'Node' ? '' : info.namespace, ref.name);
    if (ref.uid && ref.uid !== target.metadata.uid) {
      throw conflict(entry.gr, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    boundObject = { kind, name: ref.name, uid: target.metadata.uid };
  }
  const audiences = spec.audiences?.length ? spec.audiences : [api.tokens.issuer];
  const { token, expiresAt } = await api.tokens.issue({
    namespace: info.namespace,
    serviceAccountName: info.name,
    serviceAccountUID: account.metadata.uid,
    audiences,
    expirationSeconds,
    boundObject,
    now: ctx.now,
  });
  writeJSON(r.res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: info.name, namespace: info.namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token, expirationTimestamp: formatTime(expiresAt) },
  });
}

// ---- node agent streams -------------------------------------------------------------------

async function handleNodeStream(api: ApiServer, r: ResourceRequest): Promise<void> {
  const { entry, info } = r;
  if (connectSubresources.has(info.subresource)) await admitConnect(r);
  if (entry.type.plural === 'services') return relayHttp(r.req, r.res, await serviceProxyTarget(api, r));
  if (entry.type.plural === 'pods' && info.subresource === 'proxy') return relayHttp(r.req, r.res, await podProxyTarget(api, r));
  const loc = await kubeletLocation(api, r);
  if ((r.req as UpgradeRequest)[upgradeHead]) return relayUpgrade(r.req as UpgradeRequest, loc, api.kubeletClient);
  if (info.subresource !== 'log' && info.subresource !== 'proxy') throw badRequest('Upgrade request required');
  return relayRequest(r.req, r.res, loc, api.kubeletClient);
}
