// Pods held at Permit (upstream waiting_pods_map.go): every plugin that answered Wait must allow
// the pod before it goes on to binding; one reject (or a plugin's timeout) rejects it. The binding
// cycle awaits `result`, so a waiting pod holds no scheduling slot, only its reservation.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { WaitingPod } from './types.js';
import { Code, Status } from './status.js';

export class WaitingPodImpl implements WaitingPod {
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  private settle!: (s: Status) => void;
  private done = false;
  /** Resolves with Success once every waiting plugin allowed, or with the rejection. */
  readonly result: Promise<Status>;

  constructor(
    readonly pod: Pod,
    /** Plugin name → how long it may wait (ms). */
    waits: Map<string, number>,
  ) {
    this.result = new Promise((resolve) => (this.settle = resolve));
    for (const [plugin, ms] of waits) {
      // Not unref'd: a pod waiting at Permit is work in progress that someone awaits.
      const t = setTimeout(() => this.reject(plugin, `rejected due to timeout after waiting ${ms / 1000}s at plugin ${plugin}`), ms);
      this.pending.set(plugin, t);
    }
  }

  /** Plugins that have not allowed the pod yet. */
  pendingPlugins(): string[] {
    return [...this.pending.keys()];
  }

  allow(plugin: string): void {
    const t = this.pending.get(plugin);
    if (t === undefined || this.done) return;
    clearTimeout(t);
    this.pending.delete(plugin);
    if (this.pending.size === 0) this.finish(Status.success());
  }

  reject(plugin: string, message: string): void {
    if (this.done) return;
    this.finish(new Status(Code.Unschedulable, [message], plugin));
  }

  private finish(s: Status): void {
    this.done = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.settle(s);
  }
}
