// What configMap, secret and downwardAPI volumes (and the same sources in a projected volume)
// contain: file path → bytes and mode (upstream configmap/secret MakePayload and downwardapi
// CollectData). Pure functions of the objects; fetching them is the manager's job.
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { extractFieldPath } from '../env/field-path.js';
import { containerResourceValue } from '../env/resource-field.js';
import type { Payload } from './atomic-writer.js';

/** The API's default file mode for these volumes (0644; upstream's secret default too). */
export const defaultFileMode = 0o644;

/** Files of a ConfigMap: every key of data and binaryData, or only `items` at their paths. */
export function configMapPayload(items: KeyToPath[] | undefined, cm: ConfigMap, defaultMode: number, optional: boolean): Payload {
  const payload: Payload = new Map();
  const data = cm.data ?? {};
  const binary = cm.binaryData ?? {};
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, 'utf8'), mode: defaultMode });
    for (const [k, v] of Object.entries(binary)) payload.set(k, { data: Buffer.from(v, 'base64'), mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    let bytes: Buffer;
    if (item.key in data) bytes = Buffer.from(data[item.key]!, 'utf8');
    else if (item.key in binary) bytes = Buffer.from(binary[item.key]!, 'base64');
    else if (optional) continue;
    else throw new Error(`configmap references non-existent config key: ${item.key}`);
    payload.set(item.path, { data: bytes, mode: item.mode ?? defaultMode });
  }
  return payload;
}

/** Files of a Secret (data is base64 on the wire). */
export function secretPayload(items: KeyToPath[] | undefined, secret: Secret, defaultMode: number, optional: boolean): Payload {
  const payload: Payload = new Map();
  const data = secret.data ?? {};
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) payload.set(k, { data: Buffer.from(v, 'base64'), mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const v = data[item.key];
    if (v === undefined) {
      if (optional) continue;
      throw new Error(`references non-existent secret key: ${item.key}`);
    }
    payload.set(item.path, { data: Buffer.from(v, 'base64'), mode: item.mode ?? defaultMode });
  }
  return payload;
}

/**
 * Files of a downwardAPI source: metadata fields and container resources. Errors of single
 * items are collected (upstream aggregates them) and thrown together.
 */
export function downwardAPIPayload(items: DownwardAPIVolumeFile[] | undefined, pod: Pod, defaultMode: number, nodeAllocatable?: Record<string, string>): { payload: Payload; errors: string[] } {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const item of items ?? []) {
    const mode = item.mode ?? defaultMode;
    try {
      let value = '';
      if (item.fieldRef) {
        value = extractFieldPath(pod, item.fieldRef.fieldPath);
      } else if (item.resourceFieldRef) {
        const name = item.resourceFieldRef.containerName;
        const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
        const container = name ? all.find((c) => c.name === name) : pod.spec?.containers?.[0];
        if (!container) throw new Error(`container ${name ?? ''} not found`);
        value = containerResourceValue(item.resourceFieldRef, container, nodeAllocatable);
      }
      payload.set(item.path.replace(/\/+$/, ''), { data: Buffer.from(value, 'utf8'), mode });
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return { payload, errors };
}
