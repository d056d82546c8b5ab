// The API servers' master leases (upstream: pkg/controlplane/reconcilers/lease.go, storageLeases):
// one key per advertised IP under /registry/masterleases/, refreshed by its server on every pass
// of the endpoint reconciler, gone when that server stops or stops refreshing it.
//
// Upstream writes each key with an etcd lease of 15 s. Our Store contract has no TTLs and the
// SQLite backend has nothing like leases, so expiry is decided by the readers instead, the way
// client-go's leader election judges a holder: a lease is live while its value keeps changing,
// and each reader times how long it has gone unchanged on its own monotonic clock. A wall-clock
// deadline written into the value would be simpler, but every other server would then trust the
// writer's clock: a machine booted with a wrong clock (an edge box without an RTC) would drop
// its peers or be dropped itself. The writer still chooses the lease's duration and records it
// in the value, as upstream's lease TTL belongs to the key. Whoever finds a lease expired deletes
// it, with a precondition on the revision it judged, so a refresh that races the delete wins.
//
// The cost of observing instead of trusting a deadline: a reader that starts (or restarts) counts
// every lease it finds as fresh, so a lease its writer abandoned before then lives one more TTL.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ConflictError, KeyExistsError, KeyNotFoundError, type KeyValue, type Store } from '../../storage/store.js';

/** Upstream's key prefix (kube-apiserver's /registry plus /masterleases/). */
export const masterLeasePrefix = '/registry/masterleases/';
/** Upstream's DefaultEndpointReconcilerTTL. */
export const defaultMasterLeaseTTLMs = 15_000;
/** Where the writer records its lease's duration (upstream keeps it in etcd's lease instead). */
const ttlAnnotation = 'k8ts.io/lease-ttl-ms';
/** A refresh that keeps losing to concurrent writes of the same key gives up after this many tries. */
const maxWriteAttempts = 5;

/**
 * The value of a lease: a v1 Endpoints as upstream stores, its one address the server's IP. Like
 * every value under /registry/ it is a whole object, with a name and a uid (the watch cache
 * decodes each one, and storage checks expect both).
 */
interface LeaseRecord {
  apiVersion: 'v1';
  kind: 'Endpoints';
  metadata: { name: string; uid: string; generation: number; annotations: Record<string, string> };
  subsets: { addresses: { ip: string }[] }[];
}

export interface MasterLeasesOptions {
  store: Store;
  /** How long a lease this server writes lives without a refresh (default 15 s). */
  ttlMs?: number;
  /** Monotonic clock in ms (default performance.now). */
  now?: () => number;
  log?: Logger;
}

export class MasterLeases {
  private readonly store: Store;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly log: Logger | undefined;
  /** Per lease key: the revision this server last saw and when it first saw it (its clock). */
  private readonly seen = new Map<string, { modRevision: number; at: number }>();

  constructor(opts: MasterLeasesOptions) {
    this.store = opts.store;
    this.ttlMs = opts.ttlMs ?? defaultMasterLeaseTTLMs;
    this.now = opts.now ?? (() => performance.now());
    this.log = opts.log;
  }

  /** Writes or refreshes this server's lease (upstream's UpdateLease). */
  async update(ip: string): Promise<void> {
    const key = masterLeasePrefix + ip;
    for (let attempt = 1; ; attempt++) {
      try {
        const current = await this.store.get(key);
        const record = current && parseLease(current);
        const value = JSON.stringify(leaseRecord(ip, record?.metadata.uid || randomUUID(), (record?.metadata.generation ?? 0) + 1, this.ttlMs));
        const written = current ? await this.store.update(key, value, current.modRevision) : await this.store.create(key, value);
        this.seen.set(key, { modRevision: written.modRevision, at: this.now() });
        return;
      } catch (err) {
        // Another writer of the same key (a server advertising the same IP) or an expiry
        // delete came in between: read again.
        const raced = err instanceof ConflictError || err instanceof KeyExistsError || err instanceof KeyNotFoundError;
        if (!raced || attempt >= maxWriteAttempts) throw err;
      }
    }
  }

  /**
   * The IPs of the live leases, sorted (upstream's ListLeases returns them in key order). Leases
   * found expired are deleted on the way.
   */
  async list(): Promise<string[]> {
    const { items } = await this.store.list(masterLeasePrefix);
    const now = this.now();
    const listed = new Set<string>();
    const live: string[] = [];
    const expired: KeyValue[] = [];
    for (const kv of items) {
      listed.add(kv.key);
      const record = parseLease(kv);
      const seen = this.seen.get(kv.key);
      if (!seen || seen.modRevision !== kv.modRevision) {
        this.seen.set(kv.key, { modRevision: kv.modRevision, at: now });
      } else if (now - seen.at >= leaseTTL(record)) {
        expired.push(kv);
        continue;
      }
      const ip = record?.subsets[0]?.addresses?.[0]?.ip;
      if (ip) live.push(ip);
    }
    for (const key of this.seen.keys()) if (!listed.has(key)) this.seen.delete(key);
    await Promise.all(expired.map((kv) => this.expire(kv)));
    return live.sort();
  }

  /** Deletes this server's lease (upstream's RemoveLease); an absent lease is not an error. */
  async remove(ip: string): Promise<void> {
    const key = masterLeasePrefix + ip;
    this.seen.delete(key);
    try {
      await this.store.delete(key);
    } catch (err) {
      if (!(err instanceof KeyNotFoundError)) throw err;
    }
  }

  private async expire(kv: KeyValue): Promise<void> {
    try {
      await this.store.delete(kv.key, kv.modRevision);
      this.seen.delete(kv.key);
      this.log?.info({ key: kv.key }, 'master lease expired: removed');
    } catch (err) {
      // Refreshed after all (its writer is alive) or already removed by another server.
      if (!(err instanceof ConflictError || err instanceof KeyNotFoundError)) throw err;
    }
  }
}

function leaseRecord(ip: string, uid: string, generation: number, ttlMs: number): LeaseRecord {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    // The generation changes every refresh, as upstream's does: the write is a new value.
    metadata: { name: ip, uid, generation, annotations: { [ttlAnnotation]: String(ttlMs) } },
    subsets: [{ addresses: [{ ip }] }],
  };
}

function parseLease(kv: KeyValue): LeaseRecord | undefined {
  try {
    const v = JSON.parse(kv.value) as Partial<LeaseRecord> | null;
    return v && typeof v === 'object' && Array.isArray(v.subsets) && v.metadata ? (v as LeaseRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The duration the writer recorded; a value without one gets upstream's default. */
function leaseTTL(record: LeaseRecord | undefined): number {
  const ms = Number(record?.metadata.annotations?.[ttlAnnotation]);
  return Number.isFinite(ms) && ms > 0 ? ms : defaultMasterLeaseTTLMs;
}
