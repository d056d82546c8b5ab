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
  /**
   * The framework's memo of the plugins skipFilterPlugins leaves to run (runtime.ts
   * pluginsFor): opaque here. Copied by clone() along with the skip set it was worked out for,
   * so the many copies preemption's dry runs make need not work it out again.
   */
  filtersMemo: unknown = undefined;

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
    return this.cloneInto(new CycleState());
  }

  /**
   * Makes `target` what clone() would return, reusing its containers (for a copy that lives only
   * as long as one call, made thousands of times per cycle). Returns target.
   */
  cloneInto(target: CycleState): CycleState {
    target.data.clear();
    target.skipFilterPlugins.clear();
    target.skipScorePlugins.clear();
    for (const [k, v] of this.data) target.data.set(k, isCloneable(v) ? v.clone() : v);
    for (const p of this.skipFilterPlugins) target.skipFilterPlugins.add(p);
    for (const p of this.skipScorePlugins) target.skipScorePlugins.add(p);
    target.filtersMemo = this.filtersMemo;
    return target;
  }
}
