// One worker per pod (upstream pod_workers.go): updates for a pod are coalesced and run one at a
// time — syncPod while the pod should run, then syncTerminatingPod once (deleted, removed, or
// reached a terminal phase), then syncTerminatedPod once. Different pods run concurrently. A sync
// that fails is retried after a short delay; a successful one is repeated at the resync interval
// or earlier when the sync asked for it (a container leaving back-off) or the PLEG saw a change.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { Logger } from 'pino';
import { formatPod, isStaticPod } from './pod-util.js';
import type { PodSyncer } from './sync-pod.js';

type WorkerPhase = 'syncing' | 'terminating' | 'terminated';

interface Worker {
  pod: Pod;
  phase: WorkerPhase;
  pending: boolean;
  running?: Promise<void>;
  timer?: NodeJS.Timeout;
  /** Gone from every source: forget the pod after terminating it. */
  removed: boolean;
  terminatedDone: boolean;
  /** Shutdown of the agent: stop the containers without reporting a terminal status. */
  shutdown: boolean;
  /** Set by evictPod: how to terminate and what to report. */
  eviction?: PodEviction;
  /** Resolved once the pod is terminated (evictPod callers). */
  onTerminated: (() => void)[];
}

/** What the eviction manager asks for (upstream TerminatePodAbnormally): phase Failed with this reason. */
export interface PodEviction {
  reason: string;
  message: string;
  gracePeriodSeconds: number;
  condition?: PodCondition;
}

export interface PodWorkersOptions {
  syncer: PodSyncer;
  log: Logger;
  /** Periodic re-sync of every running pod (upstream 1 min). */
  resyncIntervalMs?: number;
  /** Delay before retrying a sync that threw. */
  retryMs?: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;

  constructor(private readonly o: PodWorkersOptions) {}

  /** A new or changed pod from the sources. */
  updatePod(pod: Pod): void {
    if (this.stopped) return;
    const uid = pod.metadata?.uid ?? '';
    let w = this.workers.get(uid);
    if (!w) {
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      w = { pod, phase: terminal ? 'terminating' : 'syncing', pending: false, removed: false, terminatedDone: false, shutdown: false, onTerminated: [] };
      this.workers.set(uid, w);
    }
    const newlyDeleted = !w.pod.metadata?.deletionTimestamp && !!pod.metadata?.deletionTimestamp;
    w.pod = pod;
    if (newlyDeleted && w.phase === 'terminated') w.terminatedDone = false;
    this.schedule(w);
  }

  /** The pod is gone from its source (deleted in the API, manifest removed). */
  removePod(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    w.removed = true;
    this.schedule(w);
  }

  /** Something about this pod changed in the runtime or the probes: sync it soon. */
  syncPod(uid: string): void {
    const w = this.workers.get(uid);
    if (w) this.schedule(w);
  }

  /** Pods that should run (not terminating or terminated): what eviction may choose from. */
  activePods(): Pod[] {
    return [...this.workers.values()].filter((w) => w.phase === 'syncing' && !w.pod.metadata?.deletionTimestamp).map((w) => w.pod);
  }

  /** Stops the pod with the eviction's grace period and reports it Failed; resolves once it is stopped. */
  evictPod(pod: Pod, eviction: PodEviction): Promise<void> {
    const w = this.workers.get(pod.metadata?.uid ?? '');
    if (!w || w.phase !== 'syncing' || this.stopped) return Promise.resolve();
    w.eviction = eviction;
    w.phase = 'terminating';
    const done = new Promise<void>((resolve) => w.onTerminated.push(resolve));
    this.schedule(w);
    return done;
  }

  knownPods(): Pod[] {
    return [...this.workers.values()].map((w) => w.pod);
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  /** Stops accepting updates; with `killPods`, stops every pod's containers gracefully first. */
  async shutdown(killPods: boolean): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) clearTimeout(w.timer);
    await Promise.all([...this.workers.values()].map((w) => w.running));
    if (!killPods) return;
    await Promise.all(
      [...this.workers.values()].map(async (w) => {
        if (w.phase === 'terminated') return;
        await this.o.syncer.syncTerminatingPod(w.pod, { reportStatus: false }).catch((err: unknown) => this.o.log.warn({ err, pod: formatPod(w.pod) }, 'cannot stop pod'));
      }),
    );
  }

  /** Resolves when no worker is running (tests). */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.workers.values()].map((w) => w.running).filter(Boolean);
      if (!running.length) return;
      await Promise.all(running);
    }
  }

  private schedule(w: Worker, delayMs = 0): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      clearTimeout(w.timer);
      w.timer = setTimeout(() => {
        w.timer = undefined;
        this.schedule(w);
      }, delayMs);
      w.timer.unref?.();
      return;
    }
    w.pending = true;
    w.running ??= this.run(w).finally(() => {
      w.running = undefined;
      if (w.pending && !this.stopped) this.schedule(w);
    });
  }

  private async run(w: Worker): Promise<void> {
    while (w.pending && !this.stopped) {
      w.pending = false;
      const uid = w.pod.metadata?.uid ?? '';
      try {
        if (w.phase === 'syncing') {
          if (w.removed || w.pod.metadata?.deletionTimestamp) {
            w.phase = 'terminating';
            w.pending = true;
            continue;
          }
          const res = await this.o.syncer.syncPod(w.pod);
          if (res.terminal) {
            w.phase = 'terminating';
            w.pending = true;
            continue;
          }
          const next = Math.min(res.requeueAfterMs ?? Infinity, this.o.resyncIntervalMs ?? 60_000);
          this.schedule(w, next);
        } else if (w.phase === 'terminating') {
          const e = w.eviction;
          await this.o.syncer.syncTerminatingPod(w.pod, e ? { gracePeriodSeconds: e.gracePeriodSeconds, terminal: { phase: 'Failed', reason: e.reason, message: e.message }, condition: e.condition } : {});
          w.phase = 'terminated';
          w.pending = true;
          for (const f of w.onTerminated.splice(0)) f();
        } else {
          if (!w.terminatedDone) {
            const deleteApiObject = !w.removed && !!w.pod.metadata?.deletionTimestamp && !isStaticPod(w.pod);
            await this.o.syncer.syncTerminatedPod(w.pod, { deleteApiObject });
            w.terminatedDone = true;
          }
          if (w.removed) {
            await this.o.syncer.forgetPod(uid);
            this.workers.delete(uid);
            clearTimeout(w.timer);
            return;
          }
        }
      } catch (err) {
        this.o.log.warn({ err, pod: formatPod(w.pod) }, `pod ${w.phase === 'syncing' ? 'sync' : w.phase} failed`);
        this.schedule(w, this.o.retryMs ?? 1000);
        return;
      }
    }
  }
}
