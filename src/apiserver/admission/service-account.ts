// The ServiceAccount admission plugin (upstream plugin/pkg/admission/serviceaccount). On pod
// CREATE it defaults spec.serviceAccountName to "default", requires that account to exist,
// copies its imagePullSecrets to a pod that has none, and — unless the pod (or else the account)
// turns automountServiceAccountToken off — adds the projected "kube-api-access-xxxxx" volume
// (a bound token, the cluster CA, the namespace) mounted read-only at the conventional path in
// every init and regular container that does not already mount something there. Mirror pods
// are left alone but may not reference service accounts, secrets or token projections. On an
// UPDATE of the ephemeralcontainers subresource it enforces the account's mountable secrets.
import type { Container, EphemeralContainer, Pod, ServiceAccount, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import { generateName } from '../registry/generic-store.js';
import { admissionForbidden, type AdmissionAttributes, type AdmissionPlugin } from './admission.js';
import type { AdmissionDeps } from './plugins.js';
import { podReferences } from '../../api/pod-references.js';

export const defaultServiceAccountName = 'default';
export const enforceMountableSecretsAnnotation = 'kubernetes.io/enforce-mountable-secrets';
/** Prefix of the generated token volume's name. */
export const serviceAccountVolumeName = 'kube-api-access';
export const defaultAPITokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
/** Upstream's WarnOnlyBoundTokenExpirationSeconds: 1 h + 7 s, recognisable in audit logs. */
const tokenExpirationSeconds = 3607;
/** Live lookups of the default account (the controller creates it just after the namespace). */
const defaultAccountAttempts = 10;

export interface ServiceAccountAdmissionOptions {
  /** The token volume's name from its prefix (tests pin it; upstream: SimpleNameGenerator). */
  generateName?: (prefix: string) => string;
  /** Pause between live lookups of the default account (upstream: 100–200 ms). */
  retryIntervalMs?: () => number;
}

/** The projected volume source upstream's TokenVolumeSource builds. */
export function tokenVolumeSource(): NonNullable<Volume['projected']> {
  return {
    // Set explicitly (upstream #104464): defaulting has already run when admission adds it.
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { path: 'token', expirationSeconds: tokenExpirationSeconds } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[mirrorPodAnnotation] !== undefined;
}

function shouldAutomount(sa: ServiceAccount, pod: Pod): boolean {
  // The pod's preference wins, then the account's; true by default.
  if (pod.spec?.automountServiceAccountToken !== undefined) return pod.spec.automountServiceAccountToken;
  if (sa.automountServiceAccountToken !== undefined) return sa.automountServiceAccountToken;
  return true;
}

function enforceMountableSecrets(sa: ServiceAccount): boolean {
  const v = sa.metadata?.annotations?.[enforceMountableSecretsAnnotation];
  return v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}

/** upstream limitSecretReferences: a pod may use only the secrets its account lists. */
function limitSecretReferences(sa: ServiceAccount, pod: Pod): string | undefined {
  const mountable = new Set((sa.secrets ?? []).map((s) => s.name));
  const saName = sa.metadata?.name ?? '';
  for (const v of pod.spec?.volumes ?? []) {
    if (v.secret && !mountable.has(v.secret.secretName)) {
      return `volume with secret.secretName="${v.secret.secretName ?? ''}" is not allowed because service account ${saName} does not reference that secret`;
    }
  }
  const check = (containers: Container[] | undefined, what: string) => containerSecretReferences(containers, what, mountable, saName);
  const err = check(pod.spec?.initContainers, 'init container') ?? check(pod.spec?.containers, 'container');
  if (err) return err;
  const pullSecrets = new Set((sa.imagePullSecrets ?? []).map((s) => s.name));
  for (const [i, ref] of (pod.spec?.imagePullSecrets ?? []).entries()) {
    if (!pullSecrets.has(ref.name)) return `imagePullSecrets[${i}].name="${ref.name ?? ''}" is not allowed because service account ${saName} does not reference that imagePullSecret`;
  }
  return undefined;
}

function containerSecretReferences(containers: (Container | EphemeralContainer)[] | undefined, what: string, mountable: Set<string | undefined>, saName: string): string | undefined {
  for (const c of containers ?? []) {
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && !mountable.has(ref.name)) return `${what} ${c.name} with envVar ${e.name} referencing secret.secretName="${ref.name ?? ''}" is not allowed because service account ${saName} does not reference that secret`;
    }
    for (const e of c.envFrom ?? []) {
      if (e.secretRef && !mountable.has(e.secretRef.name)) return `${what} ${c.name} with envFrom referencing secret.secretName="${e.secretRef.name ?? ''}" is not allowed because service account ${saName} does not reference that secret`;
    }
  }
  return undefined;
}

/**
 * upstream mountServiceAccountToken: reuses the first volume named kube-api-access-*, else
 * names a new one; mounts it where no container already mounts the token path; adds the volume
 * only when it is new and some container needs it.
 */
function mountServiceAccountToken(pod: Pod, newName: (prefix: string) => string): void {
  const spec = pod.spec!;
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(`${serviceAccountVolumeName}-`));
  const volumeName = existing?.name ?? newName(`${serviceAccountVolumeName}-`);
  let needsVolume = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((c.volumeMounts ?? []).some((m) => m.mountPath === defaultAPITokenMountPath)) continue;
    const mount: VolumeMount = { name: volumeName, readOnly: true, mountPath: defaultAPITokenMountPath };
    (c.volumeMounts ??= []).push(mount);
    needsVolume = true;
  }
  if (!existing && needsVolume) (spec.volumes ??= []).push({ name: volumeName, projected: tokenVolumeSource() });
}

export function serviceAccountAdmission(deps: AdmissionDeps, opts: ServiceAccountAdmissionOptions = {}): AdmissionPlugin {
  const accounts = deps.registry.find('', 'v1', 'serviceaccounts')!;
  const newName = opts.generateName ?? generateName;
  const retryInterval = opts.retryIntervalMs ?? (() => 100 + Math.floor(Math.random() * 100));
  const cached = (ns: string, name: string) => deps.cache.resourceFor(accounts.prefix).objects.get(`${accounts.prefix}${ns}/${name}`) as (ServiceAccount & KubeObject) | undefined;

  /**
   * The account from the cache; when missing there, looked up live (the cache brought up to
   * storage's current revision) — ten times, 100–200 ms apart, for "default", which the
   * serviceaccounts controller creates just after its namespace. Throws the NotFound message.
   */
  async function getServiceAccount(ns: string, name: string): Promise<ServiceAccount> {
    const hit = cached(ns, name);
    if (hit) return hit;
    const attempts = name === defaultServiceAccountName ? defaultAccountAttempts : 1;
    const interval = retryInterval();
    for (let i = 0; i < attempts; i++) {
      if (i !== 0) await new Promise((r) => setTimeout(r, interval));
      await deps.cache.syncToStore();
      const sa = cached(ns, name);
      if (sa) return sa;
    }
    throw new Error(`serviceaccount ${JSON.stringify(name)} not found`);
  }

  /** The pod's account: at once from the cache (the common case), else looked up live. */
  function lookup(a: AdmissionAttributes, pod: Pod): ServiceAccount | Promise<ServiceAccount> {
    const name = pod.spec?.serviceAccountName ?? '';
    return cached(a.namespace, name) ?? lookupLive(a, name);
  }

  async function lookupLive(a: AdmissionAttributes, name: string): Promise<ServiceAccount> {
    try {
      return await getServiceAccount(a.namespace, name);
    } catch (err) {
      throw admissionForbidden(a, `error looking up service account ${a.namespace}/${name}: ${(err as Error).message}`);
    }
  }

  function ignored(a: AdmissionAttributes): boolean {
    const pods = a.entry.type.group === '' && a.entry.type.plural === 'pods';
    return !pods || (a.subresource !== '' && a.subresource !== 'ephemeralcontainers') || !a.object;
  }

  async function validate(a: AdmissionAttributes): Promise<void> {
    if (ignored(a)) return;
    const pod = a.object as Pod;
    if (a.operation === 'UPDATE' && a.subresource === 'ephemeralcontainers') return limitEphemeralContainerSecretReferences(a, pod);
    if (a.operation !== 'CREATE') return;
    if (isMirrorPod(pod)) {
      if (pod.spec?.serviceAccountName) throw admissionForbidden(a, 'a mirror pod may not reference service accounts');
      if (podReferences(pod).secrets.length > 0) throw admissionForbidden(a, 'a mirror pod may not reference secrets');
      for (const v of pod.spec?.volumes ?? []) {
        if (v.projected?.sources?.some((s) => s.serviceAccountToken)) throw admissionForbidden(a, 'a mirror pod may not use ServiceAccountToken volume projections');
      }
      return;
    }
    if (!pod.spec?.serviceAccountName) throw admissionForbidden(a, `no service account specified for pod ${a.namespace}/${pod.metadata?.name ?? ''}`);
    const found = lookup(a, pod);
    const sa = found instanceof Promise ? await found : found;
    if (enforceMountableSecrets(sa)) {
      const err = limitSecretReferences(sa, pod);
      if (err) throw admissionForbidden(a, err);
    }
  }

  async function limitEphemeralContainerSecretReferences(a: AdmissionAttributes, pod: Pod): Promise<void> {
    if (!pod.spec?.serviceAccountName) throw admissionForbidden(a, `no service account specified for pod ${a.namespace}/${pod.metadata?.name ?? ''}`);
    const found = lookup(a, pod);
    const sa = found instanceof Promise ? await found : found;
    if (!enforceMountableSecrets(sa)) return;
    const mountable = new Set((sa.secrets ?? []).map((s) => s.name));
    const err = containerSecretReferences(pod.spec.ephemeralContainers, 'ephemeral container', mountable, sa.metadata?.name ?? '');
    // Upstream returns this one as a plain error, which the API server answers as a 500.
    if (err) throw new StatusError(500, 'InternalError', `Internal error occurred: ${err}`, { causes: [{ message: err }] });
  }

  async function admitPod(a: AdmissionAttributes): Promise<void> {
    const pod = a.object as Pod;
    const spec = (pod.spec ??= { containers: [] });
    // v1's deprecated spec.serviceAccount stands for serviceAccountName (upstream conversion).
    spec.serviceAccountName ||= spec.serviceAccount;
    // The kubelet deletes a mirror pod whose spec differs from its static pod: never mutate it.
    if (isMirrorPod(pod)) return validate(a);
    spec.serviceAccountName ||= defaultServiceAccountName;
    spec.serviceAccount = spec.serviceAccountName;
    const found = lookup(a, pod);
    const sa = found instanceof Promise ? await found : found;
    if (shouldAutomount(sa, pod)) mountServiceAccountToken(pod, newName);
    if (!spec.imagePullSecrets?.length && sa.imagePullSecrets?.length) spec.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name }));
    return validate(a);
  }

  // Every write but a pod's create (and its ephemeral containers) is let through at once,
  // without a promise.
  return {
    name: 'ServiceAccount',
    admit: (a) => (ignored(a) || a.operation !== 'CREATE' ? undefined : admitPod(a)),
    validate: (a) => (ignored(a) ? undefined : validate(a)),
  };
}
