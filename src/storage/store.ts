// The storage contract the API server owns. Modelled on etcd v3: one global revision that
// increases by one with every successful write; every key records the revision that created it
// and the revision that last modified it. Values are opaque strings (the API server stores JSON).

/** A key's value as of some revision. */
export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this incarnation of the key. */
  createRevision: number;
  /** Revision of the write that produced this value (for deletes: the deleting revision). */
  modRevision: number;
}

export type WatchEventType = 'put' | 'delete';

/** One change, delivered in revision order. */
export interface WatchEvent {
  type: WatchEventType;
  /** For 'put', the new value; for 'delete', the value it had just before, with modRevision = the delete's revision. */
  kv: KeyValue;
  /** The value before this change; absent for the put that created a key. */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read as of this revision (0/undefined = current). Below the compacted revision: CompactedError. */
  revision?: number;
  /** At most this many keys (0/undefined = all). */
  limit?: number;
  /** Start listing at this key (inclusive); used for continue tokens. Must be inside the prefix. */
  startKey?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more keys under the prefix follow the last item. */
  more: boolean;
}

export interface Watcher {
  /** Stops delivery; no event is delivered after close() returns. */
  close(): void;
}

export interface WatchOptions {
  /** Deliver every change with revision > afterRevision, then live ones. Compacted: CompactedError thrown synchronously or passed to onError. */
  afterRevision: number;
  onEvents(events: WatchEvent[]): void;
  /** Called once if the watch ends for a reason other than close(); no events follow it. */
  onError(err: Error): void;
}

export interface Store {
  /** The revision of the last write (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** The lowest revision still readable; reads/watches below it fail with CompactedError. */
  compactedRevision(): Promise<number>;
  get(key: string, revision?: number): Promise<KeyValue | undefined>;
  /** Keys with this prefix, in byte order of key. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of live keys under the prefix at the current revision. */
  count(prefix: string): Promise<number>;
  /** Fails with KeyExistsError if the key is live. */
  create(key: string, value: string): Promise<KeyValue>;
  /** Fails with KeyNotFoundError if absent, ConflictError if its modRevision is not expectedModRevision. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes and returns the last value (modRevision = the delete's revision). Same errors as update; expectedModRevision undefined = unconditional. */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Watches keys with this prefix. */
  watch(prefix: string, opts: WatchOptions): Watcher;
  /** Forgets history below the revision (values superseded at or before it). */
  compact(revision: number): Promise<void>;
  /** For a store behind a network (etcd): rejects when it cannot serve a read now (the API server's etcd health check). */
  checkHealth?(): Promise<void>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key already exists: ${key}`);
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
  }
}

/** The key's modRevision did not match the precondition. Carries the current value. */
export class ConflictError extends Error {
  constructor(
    readonly key: string,
    readonly current: KeyValue,
  ) {
    super(`key ${key} was modified at revision ${current.modRevision}`);
  }
}

/** The requested revision has been compacted away. */
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
  }
}

/** The requested revision is newer than the store's current revision. */
export class FutureRevisionError extends Error {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is a future revision (current ${current})`);
  }
}
