// Per-pod, per-cycle scratch space shared by a plugin's extension points (upstream CycleState).
// PreFilter writes what Filter reads. Preemption clones the state and then adds/removes pods
// through PreFilterExtensions, so a value that such an extension mutates must implement clone();
// values without clone() are shared and must be treated as immutable.

export interface Cloneable {
  clone(): unknown;
}

const isCloneable = (v: unknown): v is Cloneable => typeof v === 'object' && v !== null && typeof (v as Cloneable).clone === 'function';

export class CycleState {
  private readonly data = new Map<string, unknown>();
  /** Set by the framework when scoring is skipped for plugins (PreScore returned Skip). */
  readonly skipFilterPlugins = new Set<string>();
  readonly skipScorePlugins = new Set<string>();

  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }

  delete(key: string): void {
    this.data.delete(key);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, isCloneable(v) ? v.clone() : v);
    for (const p of this.skipFilterPlugins) c.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) c.skipScorePlugins.add(p);
    return c;
  }
}
