// The labels and annotations the node agent puts on runtime sandboxes and containers, as upstream
// (kuberuntime labels.go): they are how a relist of the runtime finds which pod and which spec
// container a runtime object belongs to, and which restart it is.
import type { Container as SpecContainer, Pod } from 'kubernetes-types/core/v1.js';

export const podNameLabel = 'io.kubernetes.pod.name';
export const podNamespaceLabel = 'io.kubernetes.pod.namespace';
export const podUidLabel = 'io.kubernetes.pod.uid';
export const containerNameLabel = 'io.kubernetes.container.name';
export const containerKindAnnotation = 'io.k8ts.container.kind';
export const containerImageAnnotation = 'io.kubernetes.container.image';
export const restartCountAnnotation = 'io.kubernetes.container.restartCount';
export const terminationMessagePathAnnotation = 'io.kubernetes.container.terminationMessagePath';
export const terminationMessagePolicyAnnotation = 'io.kubernetes.container.terminationMessagePolicy';
export const terminationMessageFileAnnotation = 'io.k8ts.container.terminationMessageFile';

/** Which list of the pod spec a container comes from (its kind annotation). */
export type ContainerKind = 'init' | 'regular' | 'ephemeral';

export function sandboxLabels(pod: Pod): Record<string, string> {
  return {
    ...(pod.metadata?.labels ?? {}),
    [podNameLabel]: pod.metadata?.name ?? '',
    [podNamespaceLabel]: pod.metadata?.namespace ?? '',
    [podUidLabel]: pod.metadata?.uid ?? '',
  };
}

export function containerLabels(pod: Pod, c: SpecContainer): Record<string, string> {
  return {
    [podNameLabel]: pod.metadata?.name ?? '',
    [podNamespaceLabel]: pod.metadata?.namespace ?? '',
    [podUidLabel]: pod.metadata?.uid ?? '',
    [containerNameLabel]: c.name,
  };
}
