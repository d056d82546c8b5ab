// Static pods from files or a URL, normalised as upstream (config/common.go applyDefaults):
// name NAME-NODENAME, namespace "default" if none, a uid hashed from the manifest, the node name,
// the config annotations, and the API's defaults so the spec reads like an API pod's.
import { createHash } from 'node:crypto';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseAllDocuments } from 'yaml';
import { defaultPod } from '../../api/defaults/pod.js';
import { configHashAnnotation, configSeenAnnotation, configSourceAnnotation } from '../pod-util.js';

/** Parses a manifest (YAML or JSON; one Pod, a PodList or several documents) into pods. */
export function parseManifest(text: string, where: string): Pod[] {
  const pods: Pod[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${where}: ${doc.errors[0].message}`);
    const obj = doc.toJS() as { kind?: string; items?: Pod[] } | null;
    if (!obj) continue;
    if (obj.kind === 'PodList' || obj.kind === 'List') pods.push(...(obj.items ?? []));
    else if (obj.kind === 'Pod' || obj.kind === undefined) pods.push(obj as Pod);
    else throw new Error(`${where}: kind ${obj.kind} is not a Pod`);
  }
  return pods;
}

/** Makes a static pod from a manifest pod: `source` is "file" or "http", `origin` the file path or URL. */
export function staticPod(raw: Pod, nodeName: string, source: 'file' | 'http', origin: string): Pod {
  if (!raw.metadata?.name) throw new Error(`${origin}: the pod has no metadata.name`);
  const pod = structuredClone(raw) as Omit<Pod, 'status' | 'metadata'> & { status?: Pod['status']; metadata?: Mutable<ObjectMeta> };
  const meta = (pod.metadata ??= {});
  if (!meta.uid) {
    const h = createHash('md5');
    h.update(JSON.stringify(raw));
    h.update(`host:${nodeName}`);
    h.update(`${source}:${origin}`);
    meta.uid = h.digest('hex');
  }
  meta.name = `${meta.name}-${nodeName}`.toLowerCase();
  meta.namespace ||= 'default';
  meta.annotations = { ...(meta.annotations ?? {}), [configHashAnnotation]: meta.uid, [configSourceAnnotation]: source, [configSeenAnnotation]: new Date().toISOString() };
  meta.creationTimestamp ??= new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  pod.apiVersion ??= 'v1';
  pod.kind ??= 'Pod';
  const spec = (pod.spec ??= { containers: [] });
  spec.nodeName = nodeName;
  // Static pods tolerate every NoExecute taint (upstream).
  spec.tolerations = [...(spec.tolerations ?? []), { operator: 'Exists', effect: 'NoExecute' }];
  defaultPod(pod as never);
  delete pod.status;
  return pod as Pod;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
