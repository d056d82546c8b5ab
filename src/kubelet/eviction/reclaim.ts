// Node-level reclaim before any pod is evicted (upstream containerGC.DeleteAllUnusedContainers,
// which is what disk pressure tries first when images and containers share the node's file
// system). The process runtime has no images to collect, so reclaim = removing dead containers
// (and with them their logs): every dead container of a pod whose sandbox is no longer ready, and
// all but the newest dead attempt of each container of a running pod (the kubelet keeps that one
// for `kubectl logs --previous` and the last termination state).
import type { Logger } from 'pino';
import type { Runtime } from '../runtime/types.js';
import { containerNameLabel, podUidLabel } from '../container-labels.js';

export function deadContainerReclaimer(runtime: Runtime, log?: Logger): () => Promise<void> {
  return async () => {
    const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(), runtime.listContainers()]);
    const readySandboxes = new Set(sandboxes.filter((s) => s.state === 'Ready').map((s) => s.id));
    const newest = new Map<string, { id: string; attempt: number; createdAt: number }>();
    const dead = containers.filter((c) => c.state === 'Exited' || c.state === 'Created' || c.state === 'Unknown');
    for (const c of containers) {
      const key = `${c.labels[podUidLabel] ?? c.podSandboxId}/${c.labels[containerNameLabel] ?? c.metadata.name}`;
      const prev = newest.get(key);
      if (!prev || c.metadata.attempt > prev.attempt || (c.metadata.attempt === prev.attempt && c.createdAt > prev.createdAt)) newest.set(key, { id: c.id, attempt: c.metadata.attempt, createdAt: c.createdAt });
    }
    const keep = new Set([...newest.values()].map((n) => n.id));
    for (const c of dead) {
      if (readySandboxes.has(c.podSandboxId) && keep.has(c.id)) continue;
      if (c.state === 'Created' && readySandboxes.has(c.podSandboxId)) continue;
      try {
        await runtime.removeContainer(c.id);
        log?.info({ container: c.id, name: c.metadata.name }, 'eviction manager: removed dead container to reclaim disk');
      } catch (err) {
        log?.warn({ err, container: c.id }, 'eviction manager: cannot remove dead container');
      }
    }
  };
}
