// The loop most plugins end in: evict pods one by one through the profile's evictor, stop on a
// node when its limit is reached and everywhere when the total is (upstream's plugins break out
// of their loops on EvictionNodeLimitError / EvictionTotalLimitError).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Handle } from './types.js';

/** 'total-limit' when the caller must stop altogether. */
export async function evictPods(handle: Handle, pods: readonly Pod[], strategy: string, signal: AbortSignal): Promise<'done' | 'total-limit'> {
  for (const pod of pods) {
    if (signal.aborted) return 'total-limit';
    const r = await handle.evictor.evict(pod, { strategy });
    if (r === 'total-limit') return 'total-limit';
    if (r === 'node-limit') return 'done';
  }
  return 'done';
}
