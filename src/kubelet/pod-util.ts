// Small facts about pods the node agent asks everywhere: names as upstream formats them, static
// and mirror pods, sidecars, QoS class, grace periods. Pure functions over API objects.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** Annotation a static pod carries with its source ("file", "http", "api"). */
export const configSourceAnnotation = 'kubernetes.io/config.source';
/** Annotation of a mirror pod: the static pod's hash (upstream kubetypes.ConfigMirrorAnnotationKey). */
export const configMirrorAnnotation = 'kubernetes.io/config.mirror';
export const configHashAnnotation = 'kubernetes.io/config.hash';
export const configSeenAnnotation = 'kubernetes.io/config.seen';

/** upstream format.Pod: "name_namespace(uid)". */
export function formatPod(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

/** upstream kubecontainer.GetPodFullName: "name_namespace". */
export function podFullName(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}`;
}

export function podUid(pod: Pod): string {
  return pod.metadata?.uid ?? '';
}

export function isStaticPod(pod: Pod): boolean {
  const src = pod.metadata?.annotations?.[configSourceAnnotation];
  return src !== undefined && src !== 'api';
}

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[configMirrorAnnotation] !== undefined;
}

/** An init container with restartPolicy Always: a sidecar that keeps running beside the app. */
export function isRestartableInit(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

export function restartPolicy(pod: Pod): 'Always' | 'OnFailure' | 'Never' {
  return (pod.spec?.restartPolicy as 'Always' | 'OnFailure' | 'Never' | undefined) ?? 'Always';
}

/** Grace period for a termination: the deletion's, else the spec's, else 30 s (upstream default). */
export function gracePeriodSeconds(pod: Pod, override?: number): number {
  if (override !== undefined) return override;
  const fromDeletion = pod.metadata?.deletionGracePeriodSeconds;
  if (fromDeletion !== undefined && pod.metadata?.deletionTimestamp) return fromDeletion;
  return pod.spec?.terminationGracePeriodSeconds ?? 30;
}

const computeResources = ['cpu', 'memory'];

/** upstream qos.GetPodQOS (requests/limits of cpu and memory across all containers). */
export function podQosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of computeResources) {
      if (req[r] !== undefined && String(req[r]) !== '0') any = true;
      if (lim[r] !== undefined && String(lim[r]) !== '0') any = true;
      if (lim[r] === undefined) guaranteed = false;
      else if (req[r] !== undefined && String(req[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
