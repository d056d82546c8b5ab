// Creating and deleting pods for a controller (upstream RealPodControl and GetPodFromTemplate),
// with the events upstream records on the owner: SuccessfulCreate / FailedCreate /
// SuccessfulDelete / FailedDelete.
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/object.js';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';
import { isNotFound } from '../../client/rest/errors.js';
import type { EventRecorder } from '../../client/record/index.js';

export const eventSuccessfulCreate = 'SuccessfulCreate';
export const eventFailedCreate = 'FailedCreate';
export const eventSuccessfulDelete = 'SuccessfulDelete';
export const eventFailedDelete = 'FailedDelete';

/** The generateName prefix for pods of `controllerName` (upstream getPodsPrefix): `<name>-`. */
export function podsPrefix(controllerName: string): string {
  return `${controllerName}-`;
}

/**
 * The pod a controller creates from its template (upstream GetPodFromTemplate): labels,
 * annotations and finalizers copied from the template, generateName `<owner>-`, the owner's
 * namespace, the controller reference as the only ownerReference, and a copy of the spec.
 */
/** A Pod as the API layer types objects (metadata present). */
export type PodObject = Pod & KubeObject;

export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, controllerRef?: OwnerReference): PodObject {
  const meta = template.metadata ?? {};
  const pod: PodObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podsPrefix(owner.metadata?.name ?? ''),
      namespace: owner.metadata?.namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}) },
    },
    spec: structuredClone(template.spec ?? { containers: [] }),
  };
  if (meta.finalizers?.length) pod.metadata!.finalizers = [...meta.finalizers];
  if (controllerRef) pod.metadata!.ownerReferences = [controllerRef];
  return pod;
}

export interface CreatePodOptions {
  /** Use this generateName instead of `<owner>-` (Job's indexed pods). */
  generateName?: string;
  /** A fixed name (no generateName). */
  name?: string;
  /** Extra edits to the pod before it is sent (e.g. Job's index annotations). */
  mutate?: (pod: Pod) => void;
}

/** What controllers use to create and delete their pods (a fake can be swapped in for tests). */
export interface PodControl {
  /** Creates a pod from template owned by `owner` through controllerRef. Throws the API error. */
  createPod(namespace: string, template: PodTemplateSpec, owner: KubeObject, controllerRef: OwnerReference, opts?: CreatePodOptions): Promise<PodObject>;
  /** Deletes a pod; throws the API error (NotFound included, which callers usually treat as done). */
  deletePod(namespace: string, name: string, owner: KubeObject, opts?: { uid?: string }): Promise<void>;
  /** Patches a pod (strategic merge). */
  patchPod(namespace: string, name: string, patch: unknown): Promise<PodObject>;
}

export function newPodControl(client: Client, recorder: EventRecorder): PodControl {
  const pods = client.resource(resources.pods);
  return {
    async createPod(namespace, template, owner, controllerRef, opts = {}) {
      const pod = podFromTemplate(template, owner, controllerRef);
      pod.metadata!.namespace = namespace;
      if (opts.name) {
        pod.metadata!.name = opts.name;
        delete pod.metadata!.generateName;
      } else if (opts.generateName) pod.metadata!.generateName = opts.generateName;
      opts.mutate?.(pod);
      if (Object.keys(pod.metadata?.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
      let created: PodObject;
      try {
        created = await pods.create(pod, { namespace });
      } catch (err) {
        recorder.event(owner, 'Warning', eventFailedCreate, `Error creating: ${errorMessage(err)}`);
        throw err;
      }
      recorder.event(owner, 'Normal', eventSuccessfulCreate, `Created pod: ${created.metadata?.name ?? ''}`);
      return created;
    },
    async deletePod(namespace, name, owner, opts = {}) {
      try {
        await pods.delete(name, { namespace, preconditions: opts.uid ? { uid: opts.uid } : undefined });
      } catch (err) {
        if (!isNotFound(err)) recorder.event(owner, 'Warning', eventFailedDelete, `Error deleting: ${errorMessage(err)}`);
        throw err;
      }
      recorder.event(owner, 'Normal', eventSuccessfulDelete, `Deleted pod: ${name}`);
    },
    patchPod(namespace, name, patch) {
      return pods.patch<PodObject>(name, patch, { namespace, type: 'strategic' });
    },
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
