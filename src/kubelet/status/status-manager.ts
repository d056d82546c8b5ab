// Writes pod statuses to the API (upstream pkg/kubelet/status/status_manager.go). The sync sets
// the status it computed; this keeps the latest per pod and patches pods/status only when it
// differs from what was last written. Writes are batched by one background loop, so a burst of
// changes of one pod becomes one patch, and the latest status is never lost: a change that
// arrives while a patch is in flight is written after it. Once a terminated pod's final status
// is written and deletion was asked for, the API object is deleted with grace 0 (uid
// precondition), as the kubelet does.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import type { Client } from '../../client/rest/client.js';
import { resources } from '../../client/rest/builtin-resources.js';

/** The API object a pod's status goes to (a static pod's status goes to its mirror pod). */
export interface StatusTarget {
  namespace: string;
  name: string;
  uid: string;
}

interface Entry {
  pod: Pod;
  status: PodStatus;
  version: number;
  sentVersion: number;
  sentJson?: string;
  /** The API object the last write went to (a recreated mirror pod needs the status again). */
  sentUid?: string;
  deleteWhenWritten: boolean;
  deleted: boolean;
}

export interface StatusManagerOptions {
  client: Client;
  log: Logger;
  /** Where the status of `pod` goes; undefined = nowhere yet (a static pod without its mirror). */
  target?(pod: Pod): StatusTarget | undefined;
}

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Set<string>();
  private wake?: () => void;
  private stopped = false;
  private loop?: Promise<void>;

  constructor(private readonly opts: StatusManagerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** The status last set for `uid` (what the pod workers computed). */
  getPodStatus(uid: string): PodStatus | undefined {
    return this.entries.get(uid)?.status;
  }

  setPodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata?.uid ?? '';
    let e = this.entries.get(uid);
    if (!e) {
      e = { pod, status, version: 1, sentVersion: 0, deleteWhenWritten: false, deleted: false };
      this.entries.set(uid, e);
    } else {
      e.pod = pod;
      e.status = status;
      e.version++;
    }
    this.markDirty(uid);
  }

  /** After the final status is written, delete the API object (grace 0, uid precondition). */
  deleteWhenWritten(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const e = this.entries.get(uid);
    if (!e) {
      this.entries.set(uid, { pod, status: pod.status ?? {}, version: 0, sentVersion: 0, deleteWhenWritten: true, deleted: false });
    } else {
      e.deleteWhenWritten = true;
      e.pod = pod;
    }
    this.markDirty(uid);
  }

  /** Forget a pod that is gone from every source. */
  removePod(uid: string): void {
    this.entries.delete(uid);
    this.dirty.delete(uid);
  }

  /** Resolves when every pending write has been attempted (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.dirty.size && !this.stopped) await this.syncBatch();
  }

  private markDirty(uid: string): void {
    this.dirty.add(uid);
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.dirty.size) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      await this.syncBatch();
    }
  }

  private async syncBatch(): Promise<void> {
    const uids = [...this.dirty];
    this.dirty.clear();
    let failed = false;
    await Promise.all(
      uids.map(async (uid) => {
        const ok = await this.syncOne(uid);
        if (!ok) {
          failed = true;
          this.dirty.add(uid);
        }
      }),
    );
    // Back off a little after a failure so an unreachable API server is not spun on.
    if (failed && !this.stopped) await new Promise((r) => setTimeout(r, 500).unref());
  }

  /** False when the write should be retried. */
  private async syncOne(uid: string): Promise<boolean> {
    const e = this.entries.get(uid);
    if (!e || e.deleted) return true;
    const target = this.opts.target ? this.opts.target(e.pod) : defaultTarget(e.pod);
    if (!target) return true;
    const pods = this.opts.client.resource(resources.pods);
    if (target.uid !== e.sentUid) e.sentJson = undefined;
    if (e.version > e.sentVersion || e.sentJson === undefined) {
      const version = e.version;
      const json = JSON.stringify(e.status);
      if (json !== e.sentJson) {
        try {
          await pods.patch(target.name, { metadata: { uid: target.uid }, status: withNulls(e.status) }, { type: 'merge', subresource: 'status', namespace: target.namespace });
        } catch (err) {
          if (isGone(err)) {
            e.sentVersion = version;
            return true;
          }
          this.opts.log.warn({ err, pod: `${target.namespace}/${target.name}` }, 'cannot update pod status');
          return false;
        }
        e.sentJson = json;
        e.sentUid = target.uid;
      }
      e.sentVersion = version;
    }
    if (e.deleteWhenWritten && !e.deleted) {
      try {
        await pods.delete(target.name, { namespace: target.namespace, gracePeriodSeconds: 0, preconditions: { uid: target.uid } });
      } catch (err) {
        if (!isGone(err)) {
          this.opts.log.warn({ err, pod: `${target.namespace}/${target.name}` }, 'cannot delete pod');
          return false;
        }
      }
      e.deleted = true;
    }
    return true;
  }
}

function defaultTarget(pod: Pod): StatusTarget | undefined {
  const m = pod.metadata;
  if (!m?.name || !m.uid) return undefined;
  return { namespace: m.namespace ?? 'default', name: m.name, uid: m.uid };
}

/** A merge patch removes a field only when it is null: clear reason/message/podIP a newer status lacks. */
function withNulls(status: PodStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { ...status };
  for (const k of ['reason', 'message']) if (!(k in out)) out[k] = null;
  return out;
}

/** The pod is gone or is another pod now (uid precondition failed): the write is moot. */
function isGone(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 404 || code === 409 || code === 422;
}
