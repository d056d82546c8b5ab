// What the runtime knows about one pod (upstream kubecontainer.PodStatus): its sandboxes and every
// container attempt, newest first. Built from the runtime by uid label; the sync loop and the
// status computation read only this.
import type { ContainerStatus, PodSandboxStatus, Runtime } from './runtime/types.js';
import { containerNameLabel, podUidLabel } from './container-labels.js';

export interface RuntimePodStatus {
  uid: string;
  /** Newest first. */
  sandboxes: PodSandboxStatus[];
  /** Every attempt of every container, newest first. */
  containers: ContainerStatus[];
}

export async function getRuntimePodStatus(runtime: Runtime, uid: string): Promise<RuntimePodStatus> {
  const sandboxes = await runtime.listPodSandboxes({ labels: { [podUidLabel]: uid } });
  const sandboxStatuses: PodSandboxStatus[] = [];
  for (const s of sandboxes) {
    const st = await runtime.podSandboxStatus(s.id).catch(() => undefined);
    if (st) sandboxStatuses.push(st);
  }
  sandboxStatuses.sort((a, b) => b.createdAt - a.createdAt);
  const list = await runtime.listContainers({ labels: { [podUidLabel]: uid } });
  const containers: ContainerStatus[] = [];
  for (const c of list) {
    const st = await runtime.containerStatus(c.id).catch(() => undefined);
    if (st) containers.push(st);
  }
  containers.sort(newestFirst);
  return { uid, sandboxes: sandboxStatuses, containers };
}

function newestFirst(a: ContainerStatus, b: ContainerStatus): number {
  return b.metadata.attempt - a.metadata.attempt || b.createdAt - a.createdAt;
}

/** The newest attempt of the spec container `name`. */
export function latestContainer(status: RuntimePodStatus, name: string): ContainerStatus | undefined {
  return status.containers.find((c) => containerName(c) === name);
}

/** The attempt before the newest one (for lastState). */
export function previousContainer(status: RuntimePodStatus, name: string): ContainerStatus | undefined {
  return status.containers.filter((c) => containerName(c) === name)[1];
}

export function containerName(c: { labels: Record<string, string>; metadata: { name: string } }): string {
  return c.labels[containerNameLabel] ?? c.metadata.name;
}

/** The newest sandbox that is Ready, if any. */
export function readySandbox(status: RuntimePodStatus): PodSandboxStatus | undefined {
  const s = status.sandboxes[0];
  return s?.state === 'Ready' ? s : undefined;
}
