// What the orchestrator asks a load worker process to do, and what the worker reports back.
import type { Credentials } from './kubeconfig.js';
import type { Protocol } from './http-client.js';

/** Closed loop: `clients` loops, each sending the next create as soon as the previous answered. */
export interface ClosedLoopTask {
  kind: 'closed';
  proto: Protocol;
  creds: Credentials;
  clients: number;
  connections: number;
  namespace: string;
  prefix: string;
  /** Index of this worker's first pod; names are prefix-<index>. */
  firstIndex: number;
  maxCount: number;
  maxMs: number;
}

/** Open loop: operations issued on a fixed schedule whether or not earlier ones answered. */
export interface OpenLoopTask {
  kind: 'open';
  proto: Protocol;
  creds: Credentials;
  connections: number;
  namespace: string;
  prefix: string;
  ratePerSec: number;
  durationMs: number;
}

/** Watchers on one namespace's pods, reporting when each round's pod "w-<round>" reached them all. */
export interface WatchTask {
  kind: 'watch';
  creds: Credentials;
  sessions: number;
  watchers: number;
  namespace: string;
  resourceVersion: string;
  maxMs: number;
}

export type Task = ClosedLoopTask | OpenLoopTask | WatchTask;

export interface ClosedLoopResult {
  ok: number;
  errors: number;
  firstError?: string;
  /** From startAt to the last answer. */
  elapsedMs: number;
  /** Per-request latency in ms. */
  latencies: number[];
  /** CPU time the worker used during the run, ms. */
  cpuMs: number;
}

export interface OpenLoopResult {
  ok: number;
  errors: number;
  firstError?: string;
  /** Per operation: its verb, latency from its scheduled start (so queueing counts), how late it
   *  was sent, and when it was scheduled (ms from the start), ms. */
  samples: { verb: 'create' | 'patch' | 'delete'; ms: number; lateMs: number; atMs: number }[];
  cpuMs: number;
}

export interface WatchResult {
  /** arrivals[round] = monotonic receipt times (ms) of pod w-<round> at each watcher. */
  arrivals: Record<string, number[]>;
  failedWatchers: number;
  firstError?: string;
  cpuMs: number;
}

/** Messages a worker sends. */
export type WorkerMessage =
  | { type: 'hello' }
  | { type: 'ready' }
  | { type: 'round'; round: number }
  | { type: 'result'; result: ClosedLoopResult | OpenLoopResult | WatchResult }
  | { type: 'error'; message: string };

/**
 * Messages the orchestrator sends. Load tasks prepare (connect, build bodies), answer 'ready',
 * and begin at the monotonic time (see clock.ts) 'start' names, so all workers begin together.
 */
export type OrchestratorMessage = { type: 'task'; task: Task } | { type: 'start'; startAt: number } | { type: 'finish' };
