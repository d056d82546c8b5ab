// The admission plugins upstream enables by default that matter before RBAC and quotas land:
// NamespaceLifecycle, ServiceAccount (service-account.ts), Priority, DefaultTolerationSeconds,
// and the Service IP/port allocation upstream does in the service REST storage.
import type { KubeObject, StoredObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { WatchCache } from '../watch-cache.js';
import type { Store } from '../../storage/store.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';
import type { ServiceAllocator } from './service-allocator.js';
import { limitRanger } from './limit-ranger.js';
import { resourceQuotaAdmission } from './resource-quota.js';
import { csrRequester } from './csr-requester.js';
import { serviceAccountAdmission } from './service-account.js';
import { nodeRestriction } from './node-restriction.js';
import { validatingAdmissionWebhook } from './webhook/plugin.js';
import { mutatingAdmissionWebhook } from './webhook/mutating.js';
import { validatingAdmissionPolicy } from './policy/plugin.js';

export interface AdmissionDeps {
  cache: WatchCache;
  registry: ResourceRegistry;
  services: ServiceAllocator;
  /** The API server's storage (quota admission charges usage there, under the watch cache). */
  store: Store;
}

/** Namespaces that always exist and may not be deleted. */
export const immortalNamespaces = ['default', 'kube-system', 'kube-public'];

function isPod(a: { entry: { type: { group: string; plural: string } }; subresource: string }): boolean {
  return a.entry.type.group === '' && a.entry.type.plural === 'pods' && a.subresource === '';
}

export function namespaceLifecycle(deps: AdmissionDeps): AdmissionPlugin {
  const namespaces = deps.registry.find('', 'v1', 'namespaces')!;
  const lookup = (name: string) => deps.cache.resourceFor(namespaces.prefix).objects.get(`${namespaces.prefix}${name}`);
  return {
    name: 'NamespaceLifecycle',
    // Upstream's Lifecycle is a mutating plugin, the first to run: a create into a missing
    // namespace is refused before anything else looks at the object. A namespace in the cache
    // is answered at once; only one the cache does not hold yet waits for it to catch up.
    admit(a) {
      if (a.operation === 'DELETE' && a.entry === namespaces && immortalNamespaces.includes(a.name)) {
        throw admissionForbidden(a, 'this namespace may not be deleted');
      }
      if (a.operation !== 'CREATE' || !a.entry.type.namespaced) return;
      const ns = lookup(a.namespace);
      if (ns) return admitInto(a, ns);
      return deps.cache.syncToStore().then(() => admitInto(a, lookup(a.namespace)));
    },
  };
}

function admitInto(a: AdmissionAttributes, ns: StoredObject | undefined): void {
  if (!ns) {
    throw new StatusError(404, 'NotFound', `namespaces "${a.namespace}" not found`, { name: a.namespace, kind: 'namespaces' });
  }
  if (ns.metadata.deletionTimestamp) {
    throw admissionForbidden(a, `unable to create new content in namespace ${a.namespace} because it is being terminated`, [
      { reason: 'NamespaceTerminating', message: `namespace ${a.namespace} is being terminated`, field: 'metadata.namespace' },
    ]);
  }
}

interface Toleration {
  key?: string;
  operator?: string;
  effect?: string;
  tolerationSeconds?: number;
}

const defaultTolerationKeys = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** A toleration of `key`'s NoExecute taint is there already (one for that key, or one for every key). */
function toleratesNoExecute(tolerations: Toleration[], key: string): boolean {
  for (const t of tolerations) if ((t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute')) return true;
  return false;
}

export const defaultTolerationSeconds: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  admit(a) {
    if (a.operation !== 'CREATE' || !isPod(a)) return;
    const spec = (a.object.spec ??= {}) as { tolerations?: Toleration[] };
    const tolerations = (spec.tolerations ??= []);
    for (const key of defaultTolerationKeys) {
      if (!toleratesNoExecute(tolerations, key)) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  },
};

export function priority(deps: AdmissionDeps): AdmissionPlugin {
  const classes = deps.registry.find('scheduling.k8s.io', 'v1', 'priorityclasses')!;
  return {
    name: 'Priority',
    admit(a) {
      if (a.operation !== 'CREATE' || !isPod(a)) return;
      const spec = (a.object.spec ??= {}) as { priorityClassName?: string; priority?: number; preemptionPolicy?: string };
      const pc = findPriorityClass(deps.cache.resourceFor(classes.prefix).objects.values(), spec.priorityClassName);
      if (spec.priorityClassName && !pc) {
        throw admissionForbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
      }
      const value = pc?.value ?? 0;
      if (spec.priority !== undefined && spec.priority !== value) {
        throw admissionForbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`);
      }
      spec.priority = value;
      if (pc) {
        spec.priorityClassName = pc.metadata?.name;
        spec.preemptionPolicy ??= pc.preemptionPolicy ?? 'PreemptLowerPriority';
      } else {
        spec.preemptionPolicy ??= 'PreemptLowerPriority';
      }
    },
  };
}

type PriorityClass = KubeObject & { value?: number; globalDefault?: boolean; preemptionPolicy?: string };

/** The class named (the first global default when no name is given), without copying the classes into an array per pod. */
function findPriorityClass(classes: Iterable<KubeObject>, name: string | undefined): PriorityClass | undefined {
  for (const c of classes as Iterable<PriorityClass>) if (name ? c.metadata?.name === name : c.globalDefault) return c;
  return undefined;
}

export function serviceAllocation(deps: AdmissionDeps): AdmissionPlugin {
  return {
    name: 'ServiceIPAllocation',
    once: true,
    admit(a) {
      if (a.entry.type.group !== '' || a.entry.type.plural !== 'services' || a.subresource !== '') return;
      if (a.operation === 'CREATE' || a.operation === 'UPDATE') deps.services.allocate(a.object, a.oldObject, !a.ctx.dryRun, a.generatedName);
    },
  };
}

/**
 * The plugins less those named in `disabled` (kube-apiserver --disable-admission-plugins, e.g.
 * ServiceAccount where no serviceaccounts controller runs, as upstream's scheduler_perf does).
 * An unknown name is an error; the internal ServiceIPAllocation step cannot be turned off.
 */
export function withoutPlugins(plugins: AdmissionPlugin[], disabled: readonly string[]): AdmissionPlugin[] {
  const unknown = unknownAdmissionPlugins(disabled);
  if (unknown) throw new Error(unknown);
  return plugins.filter((p) => !disabled.includes(p.name));
}

/** The plugins --disable-admission-plugins may name. */
export const disableableAdmissionPlugins = ['NamespaceLifecycle', 'CertificateSigningRequestRequester', 'LimitRanger', 'ServiceAccount', 'NodeRestriction', 'DefaultTolerationSeconds', 'Priority', 'MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota'];

/** Why `names` cannot be disabled, or undefined when every one is a known plugin. */
export function unknownAdmissionPlugins(names: readonly string[]): string | undefined {
  const bad = names.filter((n) => !disableableAdmissionPlugins.includes(n));
  return bad.length ? `unknown admission plugin ${bad.map((n) => `"${n}"`).join(', ')} in --disable-admission-plugins (known: ${disableableAdmissionPlugins.join(', ')})` : undefined;
}

export function defaultAdmissionPlugins(deps: AdmissionDeps): AdmissionPlugin[] {
  // Upstream's order: the webhooks after the built-in mutating plugins, policies between them, quota last.
  return [namespaceLifecycle(deps), csrRequester, limitRanger(deps), serviceAccountAdmission(deps), nodeRestriction(deps), defaultTolerationSeconds, priority(deps), serviceAllocation(deps), mutatingAdmissionWebhook(deps), validatingAdmissionPolicy(deps), validatingAdmissionWebhook(deps), resourceQuotaAdmission(deps)];
}
