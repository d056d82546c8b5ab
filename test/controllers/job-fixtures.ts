// Helpers for the Job/CronJob controller tests: Job objects, and playing the kubelet's part by
// writing a pod's terminal phase through pods/status.
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { isConflict } from '../../src/client/rest/errors.js';
import type { KubeObject } from '../../src/api/object.js';

export type JobObj = Job & KubeObject;

export function jobObject(name: string, spec: Partial<NonNullable<Job['spec']>> = {}, namespace = 'default'): JobObj {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  };
}

/** Sets a pod's phase (and a terminated container with exitCode) as a kubelet would. */
export async function finishPod(client: Client, pod: Pod, phase: 'Succeeded' | 'Failed', exitCode = phase === 'Succeeded' ? 0 : 1): Promise<void> {
  const pods = client.resource(resources.pods);
  let cur = pod as Pod & KubeObject;
  for (;;) {
    const next = structuredClone(cur) as Pod & KubeObject & { status?: Pod['status'] };
    const t = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    next.status = {
      ...next.status,
      phase,
      containerStatuses: (next.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: t, finishedAt: t } } })),
    };
    try {
      await pods.updateStatus(next, { namespace: cur.metadata!.namespace });
      return;
    } catch (err) {
      if (!isConflict(err)) throw err;
      cur = await pods.get(cur.metadata!.name!, { namespace: cur.metadata!.namespace });
    }
  }
}
