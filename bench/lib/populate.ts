// Orchestrator-side steps every API server benchmark shares: namespaces and bulk pod creation
// over load worker processes.
import type { HttpClient, Protocol } from './http-client.js';
import { requestJSON } from './http-client.js';
import { namespaceObject } from './pod.js';
import type { ServerProcess } from './server-process.js';
import type { ClosedLoopResult, Task } from './tasks.js';
import { runOnWorkers } from './workers.js';
import { monoMs } from './clock.js';
import { summarize, type LatencySummary } from './stats.js';

export async function createNamespace(client: HttpClient, name: string): Promise<void> {
  await requestJSON(client, 'POST', '/api/v1/namespaces', namespaceObject(name));
}

export interface BulkCreateOptions {
  proto: Protocol;
  namespace: string;
  prefix: string;
  count: number;
  /** Load worker processes; the clients are spread evenly over them. */
  workers: number;
  /** Concurrent clients in all. */
  clients: number;
  /** Connections in all (h1: sockets, h2: sessions); default one per client. */
  connections?: number;
  maxMs: number;
}

export interface BulkCreateResult {
  ok: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  perSec: number;
  latency: LatencySummary;
  /** Server CPU time during the run over wall time: 1.0 = one core busy. */
  serverCores: number;
  /** Server CPU time per successful create, ms: independent of other load on the machine. */
  serverCpuPerOpMs: number;
  /** All workers' CPU time over wall time. */
  clientCores: number;
}

/** Creates pods prefix-0 … prefix-(count-1) as fast as `clients` closed loops can. */
export async function bulkCreatePods(server: Pick<ServerProcess, 'creds' | 'cpuMs'>, o: BulkCreateOptions): Promise<BulkCreateResult> {
  const per = Math.ceil(o.count / o.workers);
  const clientsPer = Math.max(1, Math.round(o.clients / o.workers));
  const connsPer = Math.max(1, Math.round((o.connections ?? o.clients) / o.workers));
  let cpu0 = 0;
  let wall0 = 0;
  const tasks: Task[] = Array.from({ length: o.workers }, (_, w) => ({
    kind: 'closed',
    proto: o.proto,
    creds: server.creds,
    clients: clientsPer,
    connections: connsPer,
    namespace: o.namespace,
    prefix: o.prefix,
    firstIndex: w * per,
    maxCount: Math.min(per, o.count - w * per),
    maxMs: o.maxMs,
  }));
  // Server CPU is sampled from the common start, not during the workers' preparation.
  const results = await runOnWorkers<ClosedLoopResult>(tasks, o.maxMs + 60_000, () => {
    cpu0 = server.cpuMs();
    wall0 = monoMs();
  });
  const wall = monoMs() - wall0;
  const serverCpu = server.cpuMs() - cpu0;
  const ok = results.reduce((a, r) => a + r.ok, 0);
  const errors = results.reduce((a, r) => a + r.errors, 0);
  const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
  return {
    ok,
    errors,
    firstError: results.find((r) => r.firstError)?.firstError,
    elapsedMs,
    perSec: (ok / elapsedMs) * 1000,
    latency: summarize(results.flatMap((r) => r.latencies)),
    serverCores: serverCpu / wall,
    serverCpuPerOpMs: serverCpu / Math.max(1, ok),
    clientCores: results.reduce((a, r) => a + r.cpuMs, 0) / elapsedMs,
  };
}

export { isMain } from './main.js';
