// The distributed Store: etcd v3 over gRPC (the etcd3 client's KV and Watch services, used
// directly so that compaction and cancellation reach us as etcd reports them). Every Store
// operation is one etcd request, and a write is acknowledged once etcd has committed it through
// raft, so several API servers can share one etcd cluster, as kube-apiserver does.
//
// Revisions: etcd starts at revision 1 with no keys, the Store contract at 0; the store's
// revision is etcd's minus one (a fresh etcd is at store revision 0 and its first write is 1).
// The mapping is fixed, so resourceVersions stay valid across restarts and across API servers.
//
// Writes are etcd transactions guarded by the key's create or mod revision (as kube-apiserver's
// etcd3 store does its GuaranteedUpdate): a failed guard reads the key in the same transaction,
// so a conflict carries the value that won. Compaction: compact(R) is etcd's compact at R's etcd
// revision, physical, so reads at R keep working and reads below fail; etcd does not report its
// compacted revision outside a failed request, so the floor is found by probing (one read at the
// oldest revision, and a binary search only when something was compacted) and remembered.
import type { Etcd3, IOptions } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
} from '../store.js';

export interface EtcdStoreOptions {
  /** Client URLs of the cluster's members, e.g. ["http://127.0.0.1:2379"] (https:// with tls). */
  endpoints: string[];
  /** TLS to etcd: the CA that signed the members' serving certificates, and a client certificate and key where etcd asks for one (kube-apiserver's --etcd-cafile, --etcd-certfile, --etcd-keyfile). */
  tls?: { ca: Buffer; cert?: Buffer; key?: Buffer };
  /** Deadline of each unary request in ms (default 10 s). */
  requestTimeoutMs?: number;
  log?: (msg: string, fields?: object) => void;
}

/** The store's revision for an etcd revision (a decimal string, as gRPC hands int64s over). */
const fromEtcd = (rev: string | number): number => Number(rev) - 1;
const toEtcd = (rev: number): number => rev + 1;

const NUL = Buffer.from([0]);

/** The end of the key range of every key starting with prefix (etcd's GetPrefixRangeEnd); "\0" = no end. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    if (prefix[i] < 0xff) {
      const end = Buffer.from(prefix.subarray(0, i + 1));
      end[i]++;
      return end;
    }
  }
  return NUL;
}

/** The key range of a prefix: the empty prefix is every key ("\0" to no end). */
function prefixRange(prefix: string): { key: Buffer; end: Buffer } {
  if (prefix === '') return { key: NUL, end: NUL };
  const key = Buffer.from(prefix, 'utf8');
  return { key, end: prefixRangeEnd(key) };
}

function keyValue(kv: RPC.IKeyValue): KeyValue {
  return { key: kv.key.toString('utf8'), value: kv.value.toString('utf8'), createRevision: fromEtcd(kv.create_revision), modRevision: fromEtcd(kv.mod_revision) };
}

const isCompacted = (err: unknown): boolean => err instanceof Error && err.message.includes('required revision has been compacted');
const isFuture = (err: unknown): boolean => err instanceof Error && err.message.includes('required revision is a future revision');

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly watches = new Set<EtcdWatch>();
  /** The highest compaction floor seen (our compactions, probes, watch cancellations). */
  private knownCompacted = 0;
  private closed = false;
  private readonly log: (msg: string, fields?: object) => void;

  constructor(
    { Etcd3: client, isRecoverableError }: typeof import('etcd3'),
    { circuitBreaker, ConsecutiveBreaker, handleWhen, noop }: typeof import('cockatiel'),
    opts: EtcdStoreOptions,
  ) {
    const timeout = opts.requestTimeoutMs ?? 10_000;
    const options: IOptions = {
      hosts: opts.endpoints,
      ...(opts.tls ? { credentials: { rootCertificate: opts.tls.ca, certChain: opts.tls.cert, privateKey: opts.tls.key } } : {}),
      // Streams (watches) live as long as they are open; unary calls get a deadline.
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
      faultHandling: {
        // A member that failed three calls in a row is skipped for a second, so calls go to the
        // others meanwhile. With one member there is nowhere else to go: the client's default
        // (skip it for 5 s) would only stretch an etcd restart by those seconds.
        host: () => (opts.endpoints.length > 1 ? circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(3) }) : noop),
      },
    };
    this.client = new client(options);
    this.log = opts.log ?? (() => {});
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    const res = await this.client.kv.range({ key: NUL, count_only: true });
    return fromEtcd(res.header.revision);
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    // A read at the first revision that is still kept succeeds; everything below fails.
    const readable = async (rev: number): Promise<boolean> => {
      try {
        await this.client.kv.range({ key: NUL, count_only: true, revision: toEtcd(rev) });
        return true;
      } catch (err) {
        if (isCompacted(err)) return false;
        throw err;
      }
    };
    let lo = this.knownCompacted;
    if (await readable(lo)) return lo;
    let hi = await this.currentRevision();
    // Invariant: lo is compacted away, hi is readable (the current revision always is).
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await readable(mid)) hi = mid;
      else lo = mid;
    }
    this.knownCompacted = Math.max(this.knownCompacted, hi);
    return hi;
  }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    this.checkOpen();
    const res = await this.read(revision, () => this.client.kv.range({ key: Buffer.from(key, 'utf8'), revision: revision ? toEtcd(revision) : 0 }));
    return res.kvs.length > 0 ? keyValue(res.kvs[0]) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const { key, end } = prefixRange(prefix);
    const start = opts.startKey ? Buffer.from(opts.startKey, 'utf8') : key;
    const res = await this.read(opts.revision, () => this.client.kv.range({ key: start, range_end: end, limit: opts.limit ?? 0, revision: opts.revision ? toEtcd(opts.revision) : 0 }));
    return { items: res.kvs.map(keyValue), revision: opts.revision || fromEtcd(res.header.revision), more: res.more };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    const { key, end } = prefixRange(prefix);
    const res = await this.client.kv.range({ key, range_end: end, count_only: true });
    return Number(res.count);
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    const k = Buffer.from(key, 'utf8');
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8') } }],
    });
    if (!res.succeeded) throw new KeyExistsError(key);
    const rev = fromEtcd(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev };
  }

  async update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const k = Buffer.from(key, 'utf8');
    // A guard on mod revision 0 would hold for an absent key and create it: no revision below 1 is a precondition.
    if (!(expectedModRevision >= 1)) throw await this.writeFailure(key);
    const res = await this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: toEtcd(expectedModRevision) }],
      success: [{ request_put: { key: k, value: Buffer.from(value, 'utf8'), prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.failure(key, res.responses[0]?.response_range?.kvs[0]);
    const prev = res.responses[0].response_put.prev_kv;
    return { key, value, createRevision: fromEtcd(prev.create_revision), modRevision: fromEtcd(res.header.revision) };
  }

  async delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const k = Buffer.from(key, 'utf8');
    if (expectedModRevision !== undefined && !(expectedModRevision >= 1)) throw await this.writeFailure(key);
    const guard: RPC.ICompare =
      expectedModRevision === undefined
        ? { key: k, target: 'Create', result: 'Greater', create_revision: 0 }
        : { key: k, target: 'Mod', result: 'Equal', mod_revision: toEtcd(expectedModRevision) };
    const res = await this.client.kv.txn({
      compare: [guard],
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw this.failure(key, res.responses[0]?.response_range?.kvs[0]);
    const prev = res.responses[0].response_delete_range.prev_kvs[0];
    return { key, value: prev.value.toString('utf8'), createRevision: fromEtcd(prev.create_revision), modRevision: fromEtcd(res.header.revision) };
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    this.checkOpen();
    if (opts.afterRevision < this.knownCompacted) throw new CompactedError(opts.afterRevision, this.knownCompacted);
    const w = new EtcdWatch(this.client, prefixRange(prefix), opts, {
      compacted: (floor) => {
        this.knownCompacted = Math.max(this.knownCompacted, floor);
      },
      ended: (watch) => this.watches.delete(watch),
      log: this.log,
    });
    this.watches.add(w);
    return { close: () => w.close() };
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    const current = await this.currentRevision();
    if (revision > current) throw new FutureRevisionError(revision, current);
    if (revision <= (await this.compactedRevision())) return;
    try {
      await this.client.kv.compact({ revision: toEtcd(revision), physical: true });
    } catch (err) {
      // Another API server compacted past it meanwhile.
      if (!isCompacted(err)) throw err;
    }
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  /** A linearizable read that must answer within 2 s, as kube-apiserver's etcd health check. */
  async checkHealth(): Promise<void> {
    this.checkOpen();
    await this.client.kv.range({ key: NUL, count_only: true }, { deadline: Date.now() + 2000 });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watches]) w.fail(new Error('storage is closed'));
    this.client.close();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }

  /** Runs a read at `revision`, turning etcd's compacted and future-revision answers into the Store's errors. */
  private async read<T>(revision: number | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (revision && isCompacted(err)) throw new CompactedError(revision, await this.compactedRevision());
      if (revision && isFuture(err)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw err;
    }
  }

  /** The error of a guarded write that did not apply: the key is absent, or another write won. */
  private failure(key: string, current: RPC.IKeyValue | undefined): Error {
    return current ? new ConflictError(key, keyValue(current)) : new KeyNotFoundError(key);
  }

  private async writeFailure(key: string): Promise<Error> {
    const res = await this.client.kv.range({ key: Buffer.from(key, 'utf8') });
    return this.failure(key, res.kvs[0]);
  }
}

interface WatchHooks {
  /** etcd reported the watch's start as compacted away, with its floor (store revision). */
  compacted(floor: number): void;
  ended(w: EtcdWatch): void;
  log: (msg: string, fields?: object) => void;
}

/** Waits between attempts to open a watch stream again after the connection was lost. */
const resumeBackoffMs = { first: 50, max: 2000 };

/**
 * One Store watch: its own etcd watch stream, opened asynchronously (so no event is ever
 * delivered from inside Store.watch()), each etcd response one batch of events. A stream that
 * fails (etcd restarted, the connection dropped) is opened again from the revision after the
 * last event delivered, so the watcher sees no gap and no duplicate; only etcd's own answers
 * end the watch: its start compacted away (CompactedError), or a cancellation.
 */
class EtcdWatch {
  private stream: RPC.IDuplexStream<RPC.IWatchRequest, RPC.IWatchResponse> | undefined;
  private done = false;
  /** The store revision of the last event delivered (afterRevision until the first). */
  private delivered: number;
  private backoffMs = resumeBackoffMs.first;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Etcd3,
    private readonly range: { key: Buffer; end: Buffer },
    private readonly opts: WatchOptions,
    private readonly hooks: WatchHooks,
  ) {
    this.delivered = opts.afterRevision;
    this.open();
  }

  close(): void {
    this.finish();
  }

  /** Ends the watch with err (once; nothing is delivered after it). */
  fail(err: Error): void {
    if (this.done) return;
    this.finish();
    try {
      this.opts.onError(err);
    } catch (e) {
      this.hooks.log('watch onError threw', { err: String(e) });
    }
  }

  private open(): void {
    this.client.watchClient.watch().then(
      (stream) => {
        if (this.done) {
          stream.cancel();
          return;
        }
        this.stream = stream;
        stream.on('data', (res) => {
          if (stream === this.stream) this.onResponse(res);
        });
        stream.on('error', (err) => this.lost(stream, err));
        stream.on('end', () => this.lost(stream, new Error('etcd ended the watch stream')));
        // Events after the last one delivered: etcd revisions from toEtcd(delivered + 1).
        stream.write({ create_request: { key: this.range.key, range_end: this.range.end, start_revision: toEtcd(this.delivered + 1), prev_kv: true } });
      },
      (err: Error) => this.lost(undefined, err),
    );
  }

  /** The stream (or opening one) failed: open another after a pause, unless the watch is over. */
  private lost(stream: RPC.IDuplexStream<RPC.IWatchRequest, RPC.IWatchResponse> | undefined, err: Error): void {
    if (this.done || stream !== this.stream || this.retryTimer) return;
    this.stream = undefined;
    stream?.cancel();
    this.hooks.log('etcd watch stream lost; opening it again', { after: this.delivered, retryInMs: this.backoffMs, err: err.message });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.done) this.open();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, resumeBackoffMs.max);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.hooks.ended(this);
    clearTimeout(this.retryTimer);
    const stream = this.stream;
    this.stream = undefined;
    // Cancelling the call ends it on both sides; its 'error' (CANCELLED) then finds the watch done.
    stream?.cancel();
  }

  private onResponse(res: RPC.IWatchResponse): void {
    if (this.done) return;
    if (res.compact_revision && res.compact_revision !== '0') {
      const floor = fromEtcd(res.compact_revision);
      this.hooks.compacted(floor);
      this.fail(new CompactedError(this.delivered, floor));
      return;
    }
    if (res.canceled) {
      this.fail(new Error(`etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`));
      return;
    }
    this.backoffMs = resumeBackoffMs.first;
    if (res.events.length === 0) return;
    const events: WatchEvent[] = res.events.map(toWatchEvent);
    this.delivered = events[events.length - 1].kv.modRevision;
    try {
      this.opts.onEvents(events);
    } catch (err) {
      this.hooks.log('watch callback threw; ending the watch', { err: String(err) });
      this.fail(err as Error);
    }
  }
}

function toWatchEvent(ev: RPC.IEvent): WatchEvent {
  const prev = ev.prev_kv && ev.prev_kv.key.length > 0 ? keyValue(ev.prev_kv) : undefined;
  if (ev.type === 'Delete') {
    // The Store's delete event carries the value the key had, at the deleting revision.
    const kv: KeyValue = { key: ev.kv.key.toString('utf8'), value: prev?.value ?? '', createRevision: prev?.createRevision ?? 0, modRevision: fromEtcd(ev.kv.mod_revision) };
    return prev ? { type: 'delete', kv, prevKv: prev } : { type: 'delete', kv };
  }
  const kv = keyValue(ev.kv);
  return prev ? { type: 'put', kv, prevKv: prev } : { type: 'put', kv };
}

/**
 * Opens a store. The etcd client and its fault-handling policies are loaded here, on first use:
 * its gRPC stack costs ~200 ms to load, which a cluster on sqlite does not pay at start.
 */
export async function openEtcdStore(opts: EtcdStoreOptions): Promise<EtcdStore> {
  const [etcd3, cockatiel] = await Promise.all([import('etcd3'), import('cockatiel')]);
  return new EtcdStore(etcd3, cockatiel, opts);
}
