// Keeps client-side apply's annotation in step when kubectl applies server-side, so a user can
// go back to plain `kubectl apply` (upstream lastAppliedUpdater). Only the manager "kubectl"
// does this, and only on objects that already carry the annotation.
import type { KubeObject } from '../../object.js';
import { goJson } from './path.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Sets the annotation on `result` to the applied configuration, encoded as upstream does. */
export function syncLastApplied(result: KubeObject, applied: KubeObject, manager: string): void {
  const annotations = result.metadata?.annotations;
  if (manager !== 'kubectl' || !annotations || !(LAST_APPLIED_ANNOTATION in annotations)) return;
  const config = structuredClone(applied);
  if (config.metadata?.annotations) delete config.metadata.annotations[LAST_APPLIED_ANNOTATION];
  // Go's JSON encoder: sorted keys, HTML-safe escapes, and a trailing newline.
  annotations[LAST_APPLIED_ANNOTATION] = `${goJson(config)}\n`;
}
