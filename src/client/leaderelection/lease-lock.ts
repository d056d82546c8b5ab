// A resource lock on a coordination.k8s.io/v1 Lease (client-go resourcelock/leaselock.go).
// Every update sends the resourceVersion of the Lease this lock last read or wrote, so the API
// server rejects a write based on a stale view with 409 Conflict: two candidates that both saw an
// expired lease race, and exactly one update wins.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { leaseSpecToRecord, recordToLeaseSpec, type LeaderElectionRecord } from './record.js';

/** The Lease calls the lock needs; adapt a REST client (or anything else) to it. */
export interface LeaseStore {
  /** The Lease, or undefined when it does not exist. Other failures reject. */
  get(namespace: string, name: string): Promise<Lease | undefined>;
  /** Rejects when the Lease already exists. */
  create(lease: Lease): Promise<Lease>;
  /** A PUT carrying metadata.resourceVersion; rejects (409) when the Lease changed meanwhile. */
  update(lease: Lease): Promise<Lease>;
}

/** What lease-lock events are recorded through (an EventRecorder from src/client/record fits). */
export interface LockEventRecorder {
  event(object: Lease, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** The lock interface of client-go's resourcelock, which the elector is written against. */
export interface ResourceLock {
  /** The current record and its raw form (compared to notice changes), or undefined if there is no lock object. */
  get(): Promise<{ record: LeaderElectionRecord; raw: string } | undefined>;
  create(record: LeaderElectionRecord): Promise<void>;
  /** Writes record over the lock object last seen by get/create/update. */
  update(record: LeaderElectionRecord): Promise<void>;
  /** Records "<identity> <message>" as an event on the lock object, if a recorder is configured. */
  recordEvent(message: string): void;
  identity(): string;
  describe(): string;
}

export interface LeaseLockOptions {
  namespace: string;
  name: string;
  /** This candidate's unique identity (upstream uses hostname + "_" + a UUID). */
  identity: string;
  store: LeaseStore;
  eventRecorder?: LockEventRecorder;
}

export function rawRecord(record: LeaderElectionRecord): string {
  return JSON.stringify(recordToLeaseSpec(record));
}

export class LeaseLock implements ResourceLock {
  private lease?: Lease;

  constructor(private readonly opts: LeaseLockOptions) {}

  async get(): Promise<{ record: LeaderElectionRecord; raw: string } | undefined> {
    const lease = await this.opts.store.get(this.opts.namespace, this.opts.name);
    if (!lease) return undefined;
    this.lease = lease;
    const record = leaseSpecToRecord(lease.spec);
    return { record, raw: rawRecord(record) };
  }

  async create(record: LeaderElectionRecord): Promise<void> {
    this.lease = await this.opts.store.create({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { namespace: this.opts.namespace, name: this.opts.name },
      spec: recordToLeaseSpec(record),
    });
  }

  async update(record: LeaderElectionRecord): Promise<void> {
    if (!this.lease) throw new Error('lease not initialized, call get or create first');
    const next: Lease = { ...this.lease, spec: recordToLeaseSpec(record) };
    this.lease = await this.opts.store.update(next);
  }

  recordEvent(message: string): void {
    if (!this.opts.eventRecorder || !this.lease) return;
    const subject: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: this.lease.metadata };
    this.opts.eventRecorder.event(subject, 'Normal', 'LeaderElection', `${this.opts.identity} ${message}`);
  }

  identity(): string {
    return this.opts.identity;
  }

  describe(): string {
    return `${this.opts.namespace}/${this.opts.name}`;
  }
}
