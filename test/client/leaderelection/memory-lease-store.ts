// An in-memory LeaseStore with the API server's optimistic concurrency (409 on a stale
// resourceVersion), for unit tests on a fake clock. The real-server tests use https-lease-store.ts.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { LeaseStore } from '../../../src/client/leaderelection/index.js';

export class ConflictError extends Error {
  readonly code = 409;
}

export class MemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<string, Lease>();
  private rv = 0;
  writes = 0;

  async get(namespace: string, name: string): Promise<Lease | undefined> {
    await Promise.resolve();
    const l = this.leases.get(`${namespace}/${name}`);
    return l && structuredClone(l);
  }

  async create(lease: Lease): Promise<Lease> {
    await Promise.resolve();
    const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
    if (this.leases.has(key)) throw new ConflictError(`leases "${lease.metadata!.name}" already exists`);
    return this.store(key, lease);
  }

  async update(lease: Lease): Promise<Lease> {
    await Promise.resolve();
    const key = `${lease.metadata!.namespace}/${lease.metadata!.name}`;
    const cur = this.leases.get(key);
    if (!cur || cur.metadata!.resourceVersion !== lease.metadata!.resourceVersion) {
      throw new ConflictError('the object has been modified; please apply your changes to the latest version and try again');
    }
    return this.store(key, lease);
  }

  /** The lease's spec, for assertions. */
  spec(namespace: string, name: string) {
    return this.leases.get(`${namespace}/${name}`)?.spec;
  }

  private store(key: string, lease: Lease): Lease {
    this.writes++;
    const stored: Lease = structuredClone({ ...lease, metadata: { ...lease.metadata, resourceVersion: String(++this.rv) } });
    this.leases.set(key, stored);
    return structuredClone(stored);
  }
}

/** A store that can be cut off from the server, as a partitioned candidate is. */
export function partitionable(store: LeaseStore): LeaseStore & { partitioned: boolean } {
  const wrapped = {
    partitioned: false,
    get: (ns: string, name: string) => (wrapped.partitioned ? Promise.reject(new Error('connection refused')) : store.get(ns, name)),
    create: (l: Lease) => (wrapped.partitioned ? Promise.reject(new Error('connection refused')) : store.create(l)),
    update: (l: Lease) => (wrapped.partitioned ? Promise.reject(new Error('connection refused')) : store.update(l)),
  };
  return wrapped;
}
