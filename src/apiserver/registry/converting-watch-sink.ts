// Watch delivery for a custom resource converted by its CRD's webhook. Upstream converts each
// event's object when it encodes it for the watcher. Here the events that arrive together (a
// watch's initial events, a burst of writes) are converted in one call, which starts at once
// while earlier calls may still run; events reach the watcher in their order. A failed
// conversion ends the watch with its error; the client watches again from the last event it got.
import type { StoredObject } from '../../api/object.js';
import { internalError, isStatusError } from '../../api/status.js';
import type { WatchSink } from './generic-store.js';
import type { ResourceEntry } from './resource-entry.js';

export interface ConvertingWatchSink extends WatchSink {
  /** Events taken but not yet given to the watcher: a bookmark now would overtake them. */
  pending(): number;
}

export function convertingWatchSink(entry: ResourceEntry, sink: WatchSink): ConvertingWatchSink {
  const convert = entry.convertAsync!;
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  let ended = false;
  const end = (err?: unknown) => {
    if (ended) return;
    ended = true;
    sink.close(err === undefined ? undefined : isStatusError(err) ? err : internalError((err as Error).message));
  };
  let batch: { type: Parameters<WatchSink['event']>[0]; obj: StoredObject }[] = [];
  const convertBatch = () => {
    const events = batch;
    batch = [];
    const converted = convert.fromStorage(events.map((e) => e.obj), false);
    tail = tail.then(async () => {
      try {
        const objs = await converted;
        for (let i = 0; i < events.length && !ended; i++) sink.event(events[i].type, objs[i] as StoredObject);
      } catch (err) {
        end(err);
      } finally {
        pending -= events.length;
      }
    });
  };
  return {
    event(type, obj) {
      if (ended) return;
      pending++;
      if (batch.length === 0) queueMicrotask(convertBatch);
      batch.push({ type, obj });
    },
    initialEventsDone(revision) {
      // After the batch of initial events, whose conversion is not started yet.
      queueMicrotask(() => {
        tail = tail.then(() => {
          if (!ended) sink.initialEventsDone(revision);
        });
      });
    },
    // The watch ends now (the server may be stopping): conversions still running are dropped.
    close: (err) => end(err),
    pending: () => pending,
  };
}
