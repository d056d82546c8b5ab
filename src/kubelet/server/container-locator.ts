// Finds a pod's runtime container for logs, exec and attach from the labels the node agent puts on
// every container (container-labels.ts): the newest instance is the current one, the one before
// it is `--previous`.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus, Runtime } from '../runtime/types.js';
import { containerNameLabel, podUidLabel } from '../container-labels.js';

export async function containerInstances(runtime: Runtime, pod: Pod, containerName: string): Promise<ContainerStatus[]> {
  const uid = pod.metadata?.uid ?? '';
  const list = await runtime.listContainers({ labels: { [podUidLabel]: uid, [containerNameLabel]: containerName } });
  const statuses = await Promise.all(list.map((c) => runtime.containerStatus(c.id).catch(() => undefined)));
  return statuses.filter((s): s is ContainerStatus => s !== undefined).sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt);
}

export async function locateContainer(runtime: Runtime, pod: Pod, containerName: string, previous: boolean): Promise<ContainerStatus | undefined> {
  const instances = await containerInstances(runtime, pod, containerName);
  return previous ? instances.find((c, i) => i > 0 && c.state === 'Exited') : instances[0];
}
