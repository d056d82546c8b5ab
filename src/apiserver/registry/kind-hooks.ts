// Strategy hooks that are specific to one kind (upstream: each resource's strategy.go
// PrepareForCreate/PrepareForUpdate). Defaulting and validation live in src/api.
import type { KubeObject } from '../../api/object.js';
import type { ResourceStrategy } from '../../api/resource.js';
import { generateJobSelector } from '../../api/defaults/index.js';
import { invalid } from '../../api/status.js';
import { validateObject } from '../../api/validation/index.js';
import { validatePodCreateEphemeralContainers } from '../../api/validation/pod.js';
import { crdHooks } from '../crd/crd-hooks.js';
import { celLoaded, loadCEL } from '../../api/cel/library.js';

/** The strategy hooks a kind may contribute. */
export type Hooks = Pick<ResourceStrategy, 'ready' | 'prepareForCreate' | 'prepareForUpdate' | 'prepareForDelete'>;

interface Container {
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
}

/** Pod QoS class, as upstream's qos.GetPodQOS (cpu and memory only). */
export function podQOSClass(spec: { containers?: Container[]; initContainers?: Container[] } | undefined): string {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let anyRequestOrLimit = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      const req = requests[r] ?? limits[r];
      const lim = limits[r];
      if (req !== undefined || lim !== undefined) anyRequestOrLimit = true;
      if (lim === undefined || (req !== undefined && String(req) !== String(lim))) guaranteed = false;
    }
  }
  if (!anyRequestOrLimit) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const resetStatus: Hooks = {
  prepareForCreate(obj) {
    obj.status = {};
  },
};

/** Keyed by "group/Kind". Kinds with a status subresource that are not listed get resetStatus. */
export const kindHooks: Record<string, Hooks> = {
  '/Pod': {
    prepareForCreate(obj) {
      obj.status = { phase: 'Pending', qosClass: podQOSClass(obj.spec as never) };
      // ValidatePodCreate's own rule: the validation shared by create and update cannot tell
      // them apart, so it is checked here and reported with the rest of the pod's errors.
      const ephemeral = validatePodCreateEphemeralContainers(obj.spec);
      if (ephemeral.length) throw invalid('Pod', '', obj.metadata?.name ?? '', [...validateObject('', 'v1', 'Pod', obj), ...ephemeral]);
    },
  },
  '/Namespace': {
    prepareForCreate(obj) {
      obj.status = { phase: 'Active' };
    },
  },
  'batch/Job': {
    prepareForCreate(obj) {
      obj.status = {};
      generateJobSelector(obj);
    },
  },
  // Go serializes the status counters even when zero; clients (and kubectl's dry run) expect them.
  'policy/PodDisruptionBudget': {
    prepareForCreate(obj) {
      obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    },
  },
  'apiextensions.k8s.io/CustomResourceDefinition': crdHooks,
  // Validation compiles the policy's CEL expressions: the library is loaded first.
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': {
    ready: () => (celLoaded() ? undefined : loadCEL().then(() => undefined)),
    prepareForCreate(obj) {
      obj.status = {};
    },
  },
  // The node agent registers its node with its status filled in.
  '/Node': {},
  '/PersistentVolume': {
    prepareForCreate(obj) {
      obj.status = { phase: 'Pending' };
    },
  },
  '/PersistentVolumeClaim': {
    prepareForCreate(obj) {
      obj.status = { phase: 'Pending' };
    },
  },
};

export function hooksFor(group: string, kind: string, hasStatus: boolean): Hooks {
  return kindHooks[`${group}/${kind}`] ?? (hasStatus ? resetStatus : {});
}

export type { KubeObject };
