// Spawns the scheduler as its own process, as `k8ts scheduler` runs it (runSchedulerCommand,
// no leader election, /metrics and /readyz on a loopback port from the OS), so a benchmark's
// load generator never shares the scheduler's event loop and the scheduler's CPU, memory and
// profile are its own. This file is also the child's entry point.
//
// The child logs JSON lines on stderr (the parent reads the metrics URL and the "scheduler
// started" line from them and counts warnings); on SIGUSR2 it runs a full GC (it is started with
// --expose-gc) and prints its heap figures as one JSON line on stdout; every 250 ms it prints its
// event-loop utilization so far (busy vs waiting, which CPU time alone cannot tell apart from
// being starved of a core).
//
// It also tells when each pod became bound as the scheduler's own pod informer sees it, which is
// where upstream's scheduler_perf counts scheduled pods (its throughput collector reads the
// scheduler's informer in the same process): the instrument adds no watch to the API server and
// no decoding to the load generator. The times are on the machine-wide monotonic clock (clock.ts),
// batched onto stdout every 20 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { runSchedulerCommand } from '../../src/cli/scheduler-command.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import type { HttpsProtocol } from '../../src/client/transport/https.js';
import { monoMs } from './clock.js';
import { isMain } from './main.js';
import { cpuMs, memoryKb, metricSum } from './proc.js';
import { k8tsNodeFlags } from './node-flags.js';

export interface SchedulerProcessOptions {
  kubeconfig: string;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/x']. */
  nodeArgs?: string[];
  /** The child's log level (default info: the parent needs two info lines; the scheduler logs little at info). */
  logLevel?: string;
  /** Called with each warning or error line the child logs (default: the first 5 go to stderr). */
  onWarning?: (line: LogLine) => void;
  /** Called with "namespace/name" and the monoMs() at which the scheduler's pod informer first saw the pod bound (after a restart: every bound pod of its initial list again). */
  onBound?: (key: string, t: number) => void;
}

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export interface HeapFigures {
  /** V8 heap in use after a full GC. */
  heapUsedBytes: number;
  heapTotalBytes: number;
  rssBytes: number;
  externalBytes: number;
}

/** Cumulative event-loop time of a process, ms (performance.eventLoopUtilization()). */
export interface LoopTime {
  idle: number;
  active: number;
}

export interface SchedulerProcess {
  pid: number;
  /** Resolves with monoMs() when the child logged that its caches are synced and it schedules. */
  started: Promise<number>;
  /** http://127.0.0.1:port of /metrics, /healthz, /readyz. */
  url(): Promise<string>;
  cpuMs(): number;
  memoryKb(): { rssKb: number; hwmKb: number };
  /** Forces a full GC in the child and returns its heap figures. */
  heap(): Promise<HeapFigures>;
  /** Its /metrics text. */
  metricsText(): Promise<string>;
  /** A metric's value from /metrics, summed over label sets whose text contains `labels`. */
  metric(name: string, labels?: string): Promise<number>;
  /** The child's event-loop time as last reported (at most 250 ms old). */
  loopTime(): LoopTime;
  /** Warnings and errors logged so far. */
  warnings(): number;
  /** SIGTERM, wait for the exit (a --cpu-prof profile is written then), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

const entry = fileURLToPath(import.meta.url);

export function startSchedulerProcess(opts: SchedulerProcessOptions): SchedulerProcess {
  const child: ChildProcess = spawn(process.execPath, [...k8tsNodeFlags(), ...(opts.nodeArgs ?? []), '--expose-gc', '--import', 'tsx', entry, opts.kubeconfig], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, K8TS_LOG_FORMAT: 'json', K8TS_LOG_LEVEL: opts.logLevel ?? 'info' },
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    }),
  );

  let warnings = 0;
  const onWarning =
    opts.onWarning ??
    ((l: LogLine) => {
      if (warnings <= 5) console.error(`[scheduler process] ${l.level}: ${l.msg} ${JSON.stringify(l.err ?? '').slice(0, 300)}`);
    });
  let resolveUrl!: (u: string) => void;
  let resolveStarted!: (t: number) => void;
  const url = new Promise<string>((r) => (resolveUrl = r));
  const started = new Promise<number>((r) => (resolveStarted = r));
  const heapWaiters: Array<(h: HeapFigures) => void> = [];
  let loop: LoopTime = { idle: 0, active: 0 };

  createInterface({ input: child.stderr! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      console.error(`[scheduler process] ${text}`);
      return;
    }
    if (typeof line.url === 'string' && line.msg.startsWith('serving /metrics')) resolveUrl(line.url);
    if (line.msg === 'scheduler started') resolveStarted(monoMs());
    if (line.level === 'warn' || line.level === 'error' || line.level === 'fatal') {
      warnings++;
      onWarning(line);
    }
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      const h = JSON.parse(text) as { heap?: HeapFigures; loop?: LoopTime; bound?: Array<[string, number]> };
      if (h.heap) heapWaiters.shift()?.(h.heap);
      if (h.loop) loop = h.loop;
      for (const [key, t] of h.bound ?? []) opts.onBound?.(key, t);
    } catch {
      // Not ours.
    }
  });
  const pid = child.pid ?? 0;
  let stopping: Promise<void> | undefined;
  const metricsText = async () => (await fetch(`${await url}/metrics`)).text();
  return {
    pid,
    started,
    url: () => url,
    cpuMs: () => cpuMs(pid),
    memoryKb: () => memoryKb(pid),
    heap: () =>
      new Promise<HeapFigures>((resolve) => {
        heapWaiters.push(resolve);
        child.kill('SIGUSR2');
      }),
    metricsText,
    async metric(name, labels) {
      return metricSum(await metricsText(), name, labels);
    },
    loopTime: () => loop,
    warnings: () => warnings,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
      })()),
  };
}

/** The child's instrument: each pod's first sighting with a node on the scheduler's pod informer, printed in batches. */
function reportBoundPods(scheduler: Scheduler): void {
  const seen = new Set<string>();
  let batch: Array<[string, number]> = [];
  const sighted = (pod: Pod) => {
    if (!pod.spec?.nodeName) return;
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    batch.push([key, monoMs()]);
  };
  scheduler.podInformer.addEventHandler({ onAdd: sighted, onUpdate: (_old, pod) => sighted(pod) });
  setInterval(() => {
    if (batch.length === 0) return;
    process.stdout.write(`${JSON.stringify({ bound: batch })}\n`);
    batch = [];
  }, 20).unref();
}

if (isMain(import.meta.url)) {
  const kubeconfig = process.argv[2];
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    const h = getHeapStatistics();
    const heap: HeapFigures = { heapUsedBytes: h.used_heap_size, heapTotalBytes: h.total_heap_size, rssBytes: m.rss, externalBytes: m.external };
    process.stdout.write(`${JSON.stringify({ heap })}\n`);
  });
  setInterval(() => {
    const { idle, active } = performance.eventLoopUtilization();
    process.stdout.write(`${JSON.stringify({ loop: { idle, active } })}\n`);
  }, 250).unref();
  await runSchedulerCommand({
    kubeconfig,
    onStarted: reportBoundPods,
    leaderElect: false,
    leaderElectLeaseDuration: 15,
    leaderElectRenewDeadline: 10,
    leaderElectRetryPeriod: 2,
    metricsBindAddress: '127.0.0.1:0',
    // K8TS_BENCH_SCHED_PROTOCOL=h2|http/1.1|split: how the scheduler's client reaches the API server (A/B runs).
    clientProtocol: (process.env.K8TS_BENCH_SCHED_PROTOCOL || undefined) as HttpsProtocol | undefined,
  });
}
