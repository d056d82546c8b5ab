// For plugins that keep counts across scheduling cycles: a cache feeding a snapshot, one
// long-lived plugin, and check(), which updates the snapshot and asserts that the long-lived
// plugin answers every incoming pod exactly as a plugin built fresh on that snapshot does.
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import pino from 'pino';
import { SchedulerCache } from '../../../src/scheduler/cache/cache.js';
import { Snapshot } from '../../../src/scheduler/cache/snapshot.js';

export function keptVsFresh<P>(newPlugin: (s: Snapshot) => P, answers: (pl: P, pod: Pod, s: Snapshot) => unknown, incoming: readonly Pod[]) {
  const cache = new SchedulerCache({ log: pino({ level: 'silent' }) });
  const snapshot = new Snapshot();
  const kept = newPlugin(snapshot);
  const check = (what: string) => {
    cache.updateSnapshot(snapshot);
    for (const p of incoming) assert.deepEqual(answers(kept, p, snapshot), answers(newPlugin(snapshot), p, snapshot), `${what}: ${p.metadata!.name}`);
  };
  return { cache, snapshot, kept, check };
}
