// What this controller wrote, so it can tell its own echoes from other writers' changes and a
// stale cache from a current one (upstream's EndpointSliceTracker). Upstream compares
// metadata.generation; the k8ts API server does not bump generation on EndpointSlices, so this
// compares the resourceVersion each write returned (exact match only: versions are opaque) and
// falls back to generation when the server sets it.
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

interface Written {
  /** The resourceVersion our last write returned (undefined when we deleted the slice). */
  resourceVersion?: string;
  generation?: number;
  deleted?: boolean;
  /** Whether the cache has shown us our last write (or something after it). */
  seen: boolean;
  /** When we wrote it (ms). */
  at: number;
}

/**
 * A write the cache has not shown within this long is assumed superseded: a relist can skip
 * versions, and opaque resourceVersions cannot be ordered, so waiting forever could wedge a service.
 */
const maxWaitForEchoMs = 15_000;

export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, Written>>();

  private entries(serviceKey: string): Map<string, Written> {
    let m = this.byService.get(serviceKey);
    if (!m) this.byService.set(serviceKey, (m = new Map()));
    return m;
  }

  private find(uid: string | undefined): Written | undefined {
    if (!uid) return undefined;
    for (const m of this.byService.values()) {
      const w = m.get(uid);
      if (w) return w;
    }
    return undefined;
  }

  /** After a create or update answered with `slice`. */
  recordWrite(serviceKey: string, slice: EndpointSlice): void {
    const uid = slice.metadata?.uid;
    if (uid) this.entries(serviceKey).set(uid, { resourceVersion: slice.metadata?.resourceVersion, generation: slice.metadata?.generation, seen: false, at: Date.now() });
  }

  /** After a delete request succeeded. */
  expectDeletion(serviceKey: string, slice: EndpointSlice): void {
    const uid = slice.metadata?.uid;
    if (uid) this.entries(serviceKey).set(uid, { deleted: true, seen: false, at: Date.now() });
  }

  /**
   * For a slice the informer just delivered: false when it is the echo of our own write (or an
   * older version than it), true when someone else changed it and the service needs a resync.
   */
  shouldSync(slice: EndpointSlice): boolean {
    const w = this.find(slice.metadata?.uid);
    if (!w || w.deleted) return !w;
    if (w.seen) return true;
    if (isCaughtUp(w, slice)) {
      w.seen = true;
      return false;
    }
    return false;
  }

  /**
   * Whether the cached slices for a service lag behind our writes: a slice we created or
   * updated that the cache does not show yet, or one we deleted that it still shows.
   */
  stale(serviceKey: string, cached: EndpointSlice[]): boolean {
    const m = this.byService.get(serviceKey);
    if (!m) return false;
    const present = new Map(cached.map((s) => [s.metadata?.uid ?? '', s]));
    for (const [uid, w] of m) {
      const s = present.get(uid);
      if (w.deleted) {
        if (s && Date.now() - w.at <= maxWaitForEchoMs) return true;
        continue;
      }
      if (!s) {
        if (Date.now() - w.at <= maxWaitForEchoMs) return true;
        continue;
      }
      if (!w.seen) {
        if (!isCaughtUp(w, s)) return true;
        w.seen = true;
      }
    }
    return false;
  }

  /** On an informer delete: forgets the slice; true when the deletion was not ours (resync). */
  handleDeletion(slice: EndpointSlice): boolean {
    const uid = slice.metadata?.uid;
    for (const m of this.byService.values()) {
      const w = uid ? m.get(uid) : undefined;
      if (w) {
        m.delete(uid!);
        return !w.deleted;
      }
    }
    return true;
  }

  deleteService(serviceKey: string): void {
    this.byService.delete(serviceKey);
  }
}

function isCaughtUp(w: Written, s: EndpointSlice): boolean {
  if (Date.now() - w.at > maxWaitForEchoMs) return true;
  if (w.generation !== undefined && s.metadata?.generation !== undefined) return s.metadata.generation >= w.generation;
  return s.metadata?.resourceVersion === w.resourceVersion;
}
