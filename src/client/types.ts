// The contracts inside src/client: a transport moves one HTTP exchange; the REST client turns
// resources into typed calls; a ListerWatcher is what a reflector needs. Implementations are
// checked against these by the compiler; controllers depend only on these shapes.
import type { Readable } from 'node:stream';
import type { KubeObject } from '../api/object.js';

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query, e.g. /api/v1/namespaces/default/pods?watch=true */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as a stream (watches and logs are long-lived); consumers must read or destroy it. */
  body: Readable;
}

/** A response read whole (unary requests). */
export interface BufferedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body (partial or empty when `error` is set). */
  body: Buffer;
  /** Set when the body was cut short (reset, abort) after the status arrived: what reading the
   *  streamed body would have failed with. */
  error?: Error;
}

/** One HTTP exchange. HTTPS (HTTP/2) for remote servers; in-process for components in the API server's process. */
export interface Transport {
  request(req: TransportRequest): Promise<TransportResponse>;
  /** The same exchange with the body collected by the transport (no stream handed out): cheaper
   *  per request where the transport can read its connection's frames itself. Optional; the REST
   *  client reads request()'s stream where it is missing. skip2xxBody: the caller will not read a
   *  2xx answer's body, so the transport may drop it. */
  requestBuffered?(req: TransportRequest, skip2xxBody?: boolean): Promise<BufferedResponse>;
  close(): Promise<void>;
}

/** Identifies the user of an in-process request. The API server's authenticator reads this
 *  property from the request object; it cannot be set from the network. Symbol.for keeps the
 *  client and the server in step without importing each other. */
export const inProcessUserKey: unique symbol = Symbol.for('k8ts.in-process-user') as never;

export interface InProcessUser {
  username: string;
  groups: string[];
  uid?: string;
}

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ObjectList<T extends KubeObject = KubeObject> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  resourceVersionMatch?: 'NotOlderThan';
  /** Not sent: the client decodes each object without metadata.managedFields (the caller drops them anyway). */
  withoutManagedFields?: boolean;
}

/** A running watch: events in order; ends when the server closes it, on error, or on stop(). */
export interface WatchStream<T extends KubeObject = KubeObject> extends AsyncIterable<WatchEvent<T>> {
  stop(): void;
}

/** What a reflector lists and watches: one resource, optionally one namespace and selectors. */
export interface ListerWatcher<T extends KubeObject = KubeObject> {
  list(opts: ListOptions): Promise<ObjectList<T>>;
  watch(opts: WatchOptions): Promise<WatchStream<T>>;
}
