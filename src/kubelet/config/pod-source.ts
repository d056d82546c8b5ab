// The stream every pod source feeds (upstream config.PodConfig, merged): each source reports the
// complete set of pods it has now, and the merge turns differences into add/update/remove
// notifications for the pod workers. A pod is identified by uid.
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface PodUpdates {
  onPodUpdate(pod: Pod): void;
  onPodRemove(pod: Pod): void;
}

export class PodSourceMerger {
  /** source → uid → pod */
  private readonly sources = new Map<string, Map<string, Pod>>();

  constructor(private readonly out: PodUpdates) {}

  /** Replaces the pods of `source` with `pods`; reports what changed. */
  setSource(source: string, pods: Pod[]): void {
    const old = this.sources.get(source) ?? new Map<string, Pod>();
    const next = new Map<string, Pod>();
    for (const p of pods) next.set(p.metadata?.uid ?? '', p);
    this.sources.set(source, next);
    for (const [uid, p] of next) {
      const before = old.get(uid);
      if (!before || JSON.stringify(before.spec) !== JSON.stringify(p.spec) || JSON.stringify(before.metadata?.labels) !== JSON.stringify(p.metadata?.labels)) this.out.onPodUpdate(p);
    }
    for (const [uid, p] of old) if (!next.has(uid)) this.out.onPodRemove(p);
  }

  /** One pod of `source` added or changed. */
  update(source: string, pod: Pod): void {
    let m = this.sources.get(source);
    if (!m) this.sources.set(source, (m = new Map()));
    m.set(pod.metadata?.uid ?? '', pod);
    this.out.onPodUpdate(pod);
  }

  remove(source: string, pod: Pod): void {
    const m = this.sources.get(source);
    const uid = pod.metadata?.uid ?? '';
    if (!m?.has(uid)) return;
    m.delete(uid);
    this.out.onPodRemove(pod);
  }

  pods(source?: string): Pod[] {
    if (source) return [...(this.sources.get(source)?.values() ?? [])];
    return [...this.sources.values()].flatMap((m) => [...m.values()]);
  }
}
