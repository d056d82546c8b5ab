// Test helpers for workload controllers: there is no node agent, so tests play its part by
// writing pod status (Running + Ready) through the pods/status subresource.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Client } from '../../../src/client/rest/client.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { isConflict } from '../../../src/client/rest/errors.js';
import type { KubeObject } from '../../../src/api/object.js';

export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Marks a pod Running and Ready (since `readySince`, default now), as a kubelet would. */
export async function markPodReady(client: Client, pod: Pod, opts: { ready?: boolean; readySince?: number; nodeName?: string } = {}): Promise<Pod & KubeObject> {
  const pods = client.resource(resources.pods);
  const ns = pod.metadata!.namespace!;
  const name = pod.metadata!.name!;
  const ready = opts.ready ?? true;
  const t = rfc3339(opts.readySince);
  for (let cur = pod as Pod & KubeObject; ; ) {
    const next = structuredClone(cur) as Pod & KubeObject & { status: Pod['status'] };
    (next as { status: Pod['status'] }).status = {
      ...cur.status,
      phase: 'Running',
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t },
        { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: t },
      ],
      containerStatuses: (next.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image ?? '', imageID: '', ready, restartCount: 0, started: true, state: { running: { startedAt: t } } })),
    };
    try {
      return await pods.updateStatus(next, { namespace: ns });
    } catch (err) {
      if (!isConflict(err)) throw err;
      cur = await pods.get(name, { namespace: ns });
    }
  }
}

/** Marks every given pod ready, concurrently. */
export async function markPodsReady(client: Client, pods: readonly Pod[], opts: { readySince?: number } = {}): Promise<void> {
  await Promise.all(pods.map((p) => markPodReady(client, p, opts)));
}

/**
 * A stand-in kubelet: watches pods and marks each new one Running and Ready (when `filter`
 * accepts it). stop() ends the watch and waits for in-flight writes.
 */
export function startFakeKubelet(client: Client, opts: { namespace?: string; filter?: (p: Pod) => boolean } = {}): { stop(): Promise<void> } {
  const pods = client.resource(resources.pods);
  const abort = new AbortController();
  const inflight = new Set<Promise<unknown>>();
  const done = new Set<string>();
  const handle = (p: Pod & KubeObject) => {
    const uid = p.metadata?.uid ?? '';
    if (done.has(uid) || p.metadata?.deletionTimestamp) return;
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    if (opts.filter && !opts.filter(p)) return;
    done.add(uid);
    const w = markPodReady(client, p).catch(() => undefined);
    inflight.add(w);
    void w.finally(() => inflight.delete(w));
  };
  const loop = (async () => {
    const list = await pods.list({ namespace: opts.namespace });
    list.items.forEach(handle);
    const stream = await pods.watch({ namespace: opts.namespace, resourceVersion: list.metadata.resourceVersion, signal: abort.signal });
    try {
      for await (const ev of stream) if (ev.type === 'ADDED' || ev.type === 'MODIFIED') handle(ev.object);
    } catch {
      // aborted
    }
  })().catch(() => undefined);
  return {
    async stop() {
      abort.abort();
      await loop;
      await Promise.all([...inflight]);
    },
  };
}
