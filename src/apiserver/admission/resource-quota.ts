// The ResourceQuota admission plugin (upstream plugin/pkg/admission/resourcequota and
// apiserver/pkg/admission/plugin/resourcequota): a write that would take a namespace's usage past
// a quota's hard limit is refused with 403, and an admitted write is charged to status.used
// before the object is stored, so a burst of creates cannot overshoot between two recounts of
// the ResourceQuota controller. The controller later recomputes status.used from what exists
// (releasing charges for objects that were deleted or whose write failed).
//
// Charging is a compare-and-swap on the quota's storage revision. Within this process the
// checks of one namespace run one at a time (as upstream's per-namespace evaluator queue does);
// a conflict with another writer (the controller, another API server) re-reads and re-checks.
import type { StoredObject } from '../../api/object.js';
import { conflict, type StatusError } from '../../api/status.js';
import { evaluatorFor, quotaMatches, type QuotaEvaluator, type QuotaLike } from '../../api/quota/evaluators.js';
import { add, lessThanOrEqual, mask, negativeResources, prettyPrint, removeZeros, resourceList, subtract, subtractNonNegative, type ResourceList } from '../../api/quota/resource-list.js';
import { ConflictError, KeyNotFoundError, type Store } from '../../storage/store.js';
import { serialize } from '../registry/generic-store.js';
import { listPrefix, type ResourceEntry } from '../registry/resource-entry.js';
import type { WatchCache } from '../watch-cache.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';

export interface ResourceQuotaDeps {
  cache: WatchCache;
  registry: ResourceRegistry;
  /** Where charges are written (the store under the watch cache). */
  store: Store;
  /** The clock that decides whether a deleted pod still counts (tests). */
  now?: () => number;
}

type StoredQuota = QuotaLike & StoredObject;

const maxAttempts = 10;

/** Resources never charged (upstream's ignored resources: events and the review kinds). */
const ignored = new Set(['/events', 'events.k8s.io/events', 'authentication.k8s.io/tokenreviews', 'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/selfsubjectaccessreviews', 'authorization.k8s.io/localsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews']);

/** One quota's new status.used if the request is admitted. */
interface Charge {
  quota: StoredQuota;
  used: ResourceList;
}

/**
 * Decides the request against the namespace's quotas (upstream CheckRequest): returns the
 * charges to write, or throws the 403 the user sees.
 */
export function checkRequest(quotas: StoredQuota[], a: AdmissionAttributes, evaluator: QuotaEvaluator, now: number): Charge[] {
  const obj = a.object;
  const interesting: StoredQuota[] = [];
  for (const q of quotas) {
    if (!quotaMatches(q, evaluator, obj)) continue;
    const hardNames = Object.keys(q.status?.hard ?? {});
    const restricted = evaluator.matchingResources(hardNames);
    const violation = evaluator.constraints(restricted, obj);
    if (violation) throw admissionForbidden(a, `failed quota: ${q.metadata.name}: ${violation}`);
    const used = q.status?.used ?? {};
    if (!restricted.every((r) => r in used)) {
      throw admissionForbidden(a, `status unknown for quota: ${q.metadata.name}, resources: ${[...restricted].sort().join(',')}`);
    }
    interesting.push(q);
  }
  if (!interesting.length) return [];
  const usage = evaluator.usage(obj, now);
  const negative = negativeResources(usage);
  if (negative.length) throw admissionForbidden(a, `quota usage is negative for resource(s): ${negative.sort().join(',')}`);

  const charges: Charge[] = [];
  for (const q of interesting) {
    let delta = usage;
    // An update is charged only for what it adds, if the old object was charged to this quota too.
    if (a.operation === 'UPDATE' && a.oldObject?.metadata?.resourceVersion && quotaMatches(q, evaluator, a.oldObject)) {
      delta = subtractNonNegative(usage, evaluator.usage(a.oldObject, now));
    }
    delta = removeZeros(delta);
    if (!Object.keys(delta).length) continue;
    const hard = resourceList(q.status?.hard);
    const used = resourceList(q.status?.used);
    const requested = mask(delta, Object.keys(hard));
    const newUsed = add(used, requested);
    const { allowed, exceeded } = lessThanOrEqual(mask(newUsed, Object.keys(requested)), hard);
    if (!allowed) {
      throw admissionForbidden(
        a,
        `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`,
      );
    }
    charges.push({ quota: q, used: newUsed });
  }
  return charges;
}

export function resourceQuotaAdmission(deps: ResourceQuotaDeps): AdmissionPlugin {
  const quotaEntry = deps.registry.find('', 'v1', 'resourcequotas')!;
  const now = deps.now ?? Date.now;
  // Per-namespace chains: one check-and-charge at a time per namespace.
  const chains = new Map<string, Promise<void>>();

  const quotasIn = (namespace: string): StoredQuota[] => {
    const prefix = listPrefix(quotaEntry, namespace);
    const out: StoredQuota[] = [];
    for (const [key, obj] of deps.cache.resourceFor(quotaEntry.prefix).objects) if (key.startsWith(prefix)) out.push(obj as StoredQuota);
    return out;
  };

  async function writeUsed(entry: ResourceEntry, q: StoredQuota, used: ResourceList): Promise<void> {
    const next = { ...q, status: { ...q.status, used } };
    const key = `${listPrefix(entry, q.metadata.namespace ?? '')}${q.metadata.name}`;
    await deps.store.update(key, serialize(next), Number(q.metadata.resourceVersion));
  }

  async function evaluate(a: AdmissionAttributes, evaluator: QuotaEvaluator): Promise<void> {
    const charged: { name: string; delta: ResourceList }[] = [];
    try {
      for (let attempt = 0; ; attempt++) {
        await deps.cache.syncToStore();
        // Quotas this attempt already charged are settled; check the rest.
        const quotas = quotasIn(a.namespace).filter((q) => !charged.some((c) => c.name === q.metadata.name));
        const charges = checkRequest(quotas, a, evaluator, now());
        if (a.ctx.dryRun) return;
        let lost = false;
        for (const c of charges) {
          try {
            await writeUsed(quotaEntry, c.quota, c.used);
            charged.push({ name: c.quota.metadata.name, delta: subtract(c.used, resourceList(c.quota.status?.used)) });
          } catch (err) {
            if (!(err instanceof ConflictError || err instanceof KeyNotFoundError)) throw err;
            lost = true;
            break;
          }
        }
        if (!lost) return;
        if (attempt + 1 >= maxAttempts) throw conflict(quotaEntry.gr, charges[0]?.quota.metadata.name ?? '', 'too many concurrent quota updates, please retry');
      }
    } catch (err) {
      await refund(a.namespace, charged);
      throw err;
    }
  }

  // Gives back what an attempt charged before a later quota refused the request.
  async function refund(namespace: string, charged: { name: string; delta: ResourceList }[]): Promise<void> {
    for (const c of charged) {
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        await deps.cache.syncToStore();
        const q = quotasIn(namespace).find((x) => x.metadata.name === c.name);
        if (!q) break;
        try {
          await writeUsed(quotaEntry, q, subtractNonNegative(resourceList(q.status?.used), c.delta));
          break;
        } catch (err) {
          if (!(err instanceof ConflictError || err instanceof KeyNotFoundError)) throw err;
        }
      }
    }
  }

  return {
    name: 'ResourceQuota',
    // Synchronous (no promise) for every write that no quota can concern.
    validate(a) {
      if (!a.entry.type.namespaced || !a.namespace) return;
      const { group, resource } = a.entry.gr;
      if (ignored.has(`${group}/${resource}`)) return;
      const evaluator = evaluatorFor(group, resource);
      if (!evaluator.handles(a.operation, a.subresource)) return;
      // Cheap exit: no quota in the namespace (the watch cache is at most a moment behind; a
      // quota that new has no status yet, and the controller's count will include this object).
      if (!quotasIn(a.namespace).length) return;
      return charge(a, evaluator);
    },
  };

  /** Charges one write after the namespace's earlier ones (one at a time per namespace). */
  async function charge(a: AdmissionAttributes, evaluator: QuotaEvaluator): Promise<void> {
    const previous = chains.get(a.namespace) ?? Promise.resolve();
    const mine = previous.then(() => evaluate(a, evaluator));
    const tail = mine.catch(() => undefined);
    chains.set(a.namespace, tail);
    try {
      await mine;
    } finally {
      if (chains.get(a.namespace) === tail) chains.delete(a.namespace);
    }
  }
}
