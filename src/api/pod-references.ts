// The objects a pod refers to by name, as upstream's podutil visitors (VisitPodSecretNames,
// VisitPodConfigmapNames) find them: the Node authorizer's graph (node ← pod ← secret, configmap,
// claim) is made of these, and admission refuses pods that name what they may not.
import type { Container, EphemeralContainer, Pod, Volume } from 'kubernetes-types/core/v1.js';

export interface PodReferences {
  secrets: string[];
  configMaps: string[];
  claims: string[];
}

/** Init, regular and ephemeral containers. */
export function allContainers(pod: Pod): (Container | EphemeralContainer)[] {
  const spec = pod.spec;
  if (!spec) return [];
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

function volumeSecrets(v: Volume, out: string[]): void {
  const add = (name: string | undefined) => {
    if (name) out.push(name);
  };
  add(v.secret?.secretName);
  for (const p of v.projected?.sources ?? []) add(p.secret?.name);
  add(v.azureFile?.secretName);
  add(v.cephfs?.secretRef?.name);
  add(v.cinder?.secretRef?.name);
  add(v.flexVolume?.secretRef?.name);
  add(v.iscsi?.secretRef?.name);
  add(v.rbd?.secretRef?.name);
  add(v.scaleIO?.secretRef?.name);
  add(v.storageos?.secretRef?.name);
  add(v.csi?.nodePublishSecretRef?.name);
}

export function podReferences(pod: Pod): PodReferences {
  const secrets: string[] = [];
  const configMaps: string[] = [];
  const claims: string[] = [];
  for (const s of pod.spec?.imagePullSecrets ?? []) if (s.name) secrets.push(s.name);
  for (const c of allContainers(pod)) {
    for (const from of c.envFrom ?? []) {
      if (from.secretRef?.name) secrets.push(from.secretRef.name);
      if (from.configMapRef?.name) configMaps.push(from.configMapRef.name);
    }
    for (const e of c.env ?? []) {
      const ref = e.valueFrom;
      if (ref?.secretKeyRef?.name) secrets.push(ref.secretKeyRef.name);
      if (ref?.configMapKeyRef?.name) configMaps.push(ref.configMapKeyRef.name);
    }
  }
  for (const v of pod.spec?.volumes ?? []) {
    volumeSecrets(v, secrets);
    if (v.configMap?.name) configMaps.push(v.configMap.name);
    for (const p of v.projected?.sources ?? []) if (p.configMap?.name) configMaps.push(p.configMap.name);
    if (v.persistentVolumeClaim?.claimName) claims.push(v.persistentVolumeClaim.claimName);
    // A generic ephemeral volume's claim is named after the pod and the volume.
    if (v.ephemeral) claims.push(`${pod.metadata?.name}-${v.name}`);
  }
  return { secrets, configMaps, claims };
}
