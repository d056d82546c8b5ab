// Downward API values taken from the pod object (upstream pkg/fieldpath and the kubelet's
// podFieldSelectorRuntimeValue), shared by env vars and downwardAPI/projected volumes.
import type { ObjectFieldSelector, Pod } from 'kubernetes-types/core/v1.js';

/** Labels or annotations as upstream's FormatMap: `key="value"` lines sorted by key. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

const subscript = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/;

/** upstream fieldpath.ExtractFieldPathAsString for the metadata fields a pod exposes. */
export function extractFieldPath(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const sub = subscript.exec(fieldPath);
  if (sub) {
    const map = sub[1] === 'metadata.labels' ? meta.labels : meta.annotations;
    return map?.[sub[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

export interface PodRuntimeFields {
  podIP: string;
  podIPs: string[];
  hostIP: string;
  hostIPs?: string[];
  nodeName: string;
}

/** The value of an env var's fieldRef: pod metadata, spec and the runtime's status fields. */
export function podFieldValue(sel: ObjectFieldSelector, pod: Pod, rt: PodRuntimeFields): string {
  if (sel.apiVersion && sel.apiVersion !== 'v1') throw new Error(`unsupported pod version: ${sel.apiVersion}`);
  const podIPs = rt.podIPs.length > 0 ? rt.podIPs : rt.podIP ? [rt.podIP] : [];
  switch (sel.fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? rt.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
      return rt.hostIPs?.[0] ?? rt.hostIP;
    case 'status.hostIPs':
      return (rt.hostIPs ?? [rt.hostIP]).join(',');
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
  }
  return extractFieldPath(pod, sel.fieldPath);
}
