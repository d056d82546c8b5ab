// Watch over HTTP: one compact JSON event per line on a chunked (HTTP/1.1) or streamed (HTTP/2)
// response. Selector transitions come from the registry; this file frames events, sends
// bookmarks, honours timeoutSeconds and ends the stream when the client goes away.
import type { KubeObject, StoredObject } from '../../api/object.js';
import { groupVersion } from '../../api/object.js';
import { badRequest, type StatusError } from '../../api/status.js';
import { negotiate } from '../http/negotiate.js';
import { isTrue } from '../request-info.js';
import type { ResourceRequest } from './resource.js';
import { printerOf } from './resource.js';
import { selectionFromQuery } from './selection.js';
import { partialObject, toTable } from './transform.js';
import { sharedObjectJSON } from '../registry/object-json.js';
import { WatchQueue, type WatchOutput } from './watch-queue.js';

/** How often a watcher that allows bookmarks gets one (upstream: about once a minute). */
export const bookmarkIntervalMs = 30_000;
/** Upstream's default when timeoutSeconds is absent: a random time in [minRequestTimeout, 2×). */
const minRequestTimeoutSeconds = 1800;
/** A watcher this many live events behind is too slow; its watch is ended. */
const maxQueuedEvents = 100_000;

/**
 * Every watcher of a resource is handed the same cached object for an event: its JSON is the
 * one the write already produced (or is made once and kept with the object).
 */
function serializedOnce(obj: StoredObject): string {
  return sharedObjectJSON(obj);
}

export async function handleWatch(r: ResourceRequest): Promise<void> {
  const n = negotiate(r.req.headers.accept, false);
  const extra = r.info.name ? [{ field: 'metadata.name', operator: '=' as const, value: r.info.name }] : undefined;
  const selection = selectionFromQuery(r.entry, r.query, extra);
  const allowBookmarks = isTrue(r.query.get('allowWatchBookmarks'));
  const rv = r.query.get('resourceVersion') ?? '';
  const sendInitialEventsParam = r.query.get('sendInitialEvents');
  const sendInitialEvents = sendInitialEventsParam === null ? undefined : isTrue(sendInitialEventsParam);
  if (sendInitialEvents !== undefined) {
    if (r.query.get('resourceVersionMatch') !== 'NotOlderThan') {
      throw badRequest('resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    if (sendInitialEvents && !allowBookmarks) throw badRequest('allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true');
  } else if (r.query.get('resourceVersionMatch')) {
    throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  }
  const initialEvents = sendInitialEvents ?? (rv === '' || rv === '0');
  const timeoutParam = r.query.get('timeoutSeconds');
  const timeoutSeconds = timeoutParam !== null ? Number(timeoutParam) : minRequestTimeoutSeconds * (1 + Math.random());
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw badRequest(`timeoutSeconds: Invalid value: ${JSON.stringify(timeoutParam)}`);

  const { res } = r;
  const t = r.entry.type;
  const apiVersion = groupVersion(t.group, t.version);
  let headersSent = false;
  let firstTableEvent = true;
  let closed = false;
  const includeObject = r.query.get('includeObject') ?? 'Metadata';

  const sendHeaders = () => {
    if (headersSent) return;
    headersSent = true;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    // Flush the status line now: clients wait for it before they consider the watch started.
    (res as { flushHeaders?: () => void }).flushHeaders?.();
  };

  const shape = (obj: StoredObject): unknown => {
    if (n.form === 'table') {
      const table = toTable(printerOf(r.entry), [obj], { resourceVersion: obj.metadata.resourceVersion }, n, { includeObject, noHeaders: !firstTableEvent, now: new Date() });
      firstTableEvent = false;
      return table;
    }
    if (n.form === 'partial') return partialObject(obj, n.metaVersion);
    return obj;
  };

  // Lines go out through a queue, at the client's pace and one write per batch (watch-queue.ts).
  const queue = new WatchQueue(res as unknown as WatchOutput, maxQueuedEvents, () => finish());
  const write = (render: string | (() => string)) => {
    if (closed) return;
    sendHeaders();
    queue.push(render);
  };

  const bookmark = (revision: number, initialEventsEnd = false) => {
    const meta: Record<string, unknown> = { resourceVersion: String(revision) };
    if (initialEventsEnd) meta.annotations = { 'k8s.io/initial-events-end': 'true' };
    const object: KubeObject = { kind: t.kind, apiVersion, metadata: meta };
    write(JSON.stringify({ type: 'BOOKMARK', object }));
  };

  let stop: () => void = () => {};
  let bookmarkTimer: NodeJS.Timeout | undefined;
  let lastRevision = 0;
  const finish = (err?: StatusError) => {
    if (closed) return;
    closed = true;
    sendHeaders();
    if (err) queue.push(JSON.stringify({ type: 'ERROR', object: err.toStatus() }));
    // What is queued (and not held back by a full stream) goes out before the end.
    queue.close();
    clearTimeout(timeoutTimer);
    clearInterval(bookmarkTimer);
    stop();
    res.end();
  };
  const timeoutTimer = setTimeout(() => finish(), timeoutSeconds * 1000);
  r.req.on('close', () => finish());
  res.on('close', () => finish());

  const handle = await r.store.watch(
    r.entry,
    r.info.namespace,
    { filter: selection.filter, resourceVersion: rv, initialEvents },
    {
      event: (type, obj) => {
        lastRevision = Math.max(lastRevision, Number(obj.metadata.resourceVersion));
        write(() => `{"type":"${type}","object":${n.form === 'object' ? serializedOnce(obj) : JSON.stringify(shape(obj))}}`);
      },
      initialEventsDone: (revision) => {
        lastRevision = Math.max(lastRevision, revision);
        if (sendInitialEvents) bookmark(revision, true);
      },
      close: (err) => finish(err),
    },
  );
  stop = handle.stop;
  if (closed) {
    stop();
    return;
  }
  // The initial events and the replay were queued while the watch started; what comes now is live.
  queue.markLive();
  sendHeaders();
  if (allowBookmarks) {
    // Not while events are still being converted: the bookmark would overtake them.
    bookmarkTimer = setInterval(() => {
      if (handle.pending() === 0) bookmark(Math.max(lastRevision, r.store.currentRevision));
    }, bookmarkIntervalMs);
    bookmarkTimer.unref();
  }
}
