// Applies one watch stream to a store (reflector.go's watchHandler). Every event is either
// applied or reported: an ERROR event or a broken stream ends the watch with an exception, an
// event that cannot be applied (no resourceVersion, a store that throws) goes to onEventError
// and the watch goes on, exactly as upstream logs and skips it.
import type { KubeObject } from '../../api/object.js';
import type { WatchEvent } from '../types.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { WatchStatusError } from './errors.js';

export interface WatchSink<T extends KubeObject> {
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
}

export interface WatchHandlerOptions {
  /** Called with each event's resourceVersion (bookmarks included) once it is applied. */
  onResourceVersion(rv: string): void;
  onEventError(err: Error, event: WatchEvent<KubeObject>): void;
  /** WatchList mode: return at the bookmark annotated k8s.io/initial-events-end. */
  untilInitialEventsEnd?: boolean;
  signal?: AbortSignal;
}

export interface WatchHandlerResult {
  events: number;
  /** Set when the stream reached the initial-events-end bookmark (its resourceVersion). */
  initialEventsEndRV?: string;
}

export const initialEventsEndAnnotation = 'k8s.io/initial-events-end';

export async function handleWatch<T extends KubeObject>(it: AsyncIterator<WatchEvent<T>>, sink: WatchSink<T>, o: WatchHandlerOptions): Promise<WatchHandlerResult> {
  let events = 0;
  for (;;) {
    if (o.signal?.aborted) return { events };
    const r = await it.next();
    if (r.done || o.signal?.aborted) return { events };
    const ev = r.value;
    events++;
    if (ev.type === 'ERROR') throw new WatchStatusError(ev.object as unknown as Status);
    const rv = ev.object?.metadata?.resourceVersion;
    if (ev.type === 'BOOKMARK') {
      if (rv) o.onResourceVersion(rv);
      else o.onEventError(new Error('watch BOOKMARK event has no metadata.resourceVersion'), ev);
      if (o.untilInitialEventsEnd && ev.object.metadata?.annotations?.[initialEventsEndAnnotation] === 'true') return { events, initialEventsEndRV: rv ?? '' };
      continue;
    }
    if (!rv) {
      o.onEventError(new Error(`watch ${String(ev.type)} event object has no metadata.resourceVersion; skipped`), ev);
      continue;
    }
    try {
      if (ev.type === 'ADDED') sink.add(ev.object);
      else if (ev.type === 'MODIFIED') sink.update(ev.object);
      else if (ev.type === 'DELETED') sink.delete(ev.object);
      else {
        o.onEventError(new Error(`unknown watch event type ${JSON.stringify(ev.type)}; skipped`), ev);
        continue;
      }
    } catch (err) {
      o.onEventError(new Error(`unable to apply watch ${ev.type} event to the store: ${String(err)}`, { cause: err }), ev);
      continue;
    }
    o.onResourceVersion(rv);
  }
}
