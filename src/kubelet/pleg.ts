// The pod lifecycle event generator (upstream pleg/generic.go): relists the runtime every period
// and reports each pod whose containers or sandboxes changed state since the last relist, so a
// process that died between syncs is noticed within one period.
import type { Logger } from 'pino';
import type { Runtime } from './runtime/types.js';
import { podUidLabel } from './container-labels.js';

export interface PlegOptions {
  runtime: Runtime;
  log: Logger;
  /** Relist period (upstream 1 s). */
  periodMs?: number;
  onPodChanged(uid: string): void;
}

export class Pleg {
  /** runtime object id → "podUid|state" at the last relist. */
  private last = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private relisting?: Promise<void>;
  private stopped = false;

  constructor(private readonly o: PlegOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.relisting = this.relist().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.o.periodMs ?? 1000);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.relisting;
  }

  /** One relist; reports the changed pods. */
  async relist(): Promise<void> {
    try {
      const now = new Map<string, string>();
      for (const s of await this.o.runtime.listPodSandboxes()) now.set(`s:${s.id}`, `${s.labels[podUidLabel] ?? ''}|${s.state}`);
      for (const c of await this.o.runtime.listContainers()) now.set(`c:${c.id}`, `${c.labels[podUidLabel] ?? ''}|${c.state}`);
      const changed = new Set<string>();
      for (const [id, v] of now) if (this.last.get(id) !== v) changed.add(v.split('|')[0]);
      for (const [id, v] of this.last) if (!now.has(id)) changed.add(v.split('|')[0]);
      this.last = now;
      for (const uid of changed) if (uid) this.o.onPodChanged(uid);
    } catch (err) {
      this.o.log.warn({ err }, 'runtime relist failed');
    }
  }
}
