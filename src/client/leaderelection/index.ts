// tools/leaderelection: one active instance among several, on coordination.k8s.io/v1 Leases.
export {
  defaultLeaseDurationMs,
  defaultRenewDeadlineMs,
  defaultRetryPeriodMs,
  LeaderElector,
  runLeaderElection,
  type LeaderCallbacks,
  type LeaderElectionConfig,
} from './leader-elector.js';
export { LeaseLock, type LeaseLockOptions, type LeaseStore, type LockEventRecorder, type ResourceLock } from './lease-lock.js';
export { formatMicroTime, leaseSpecToRecord, parseMicroTime, recordToLeaseSpec, type LeaderElectionRecord } from './record.js';
export { restLeaseStore } from './rest-lease-store.js';
