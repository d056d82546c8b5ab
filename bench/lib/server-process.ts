// Spawns `bin/k8ts server` on a temp data dir and port 0 as its own process, so the load
// generator and the server never share a CPU-time budget, and waits for its ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCredentials, type Credentials } from './kubeconfig.js';
import { cpuMs, memoryKb } from './proc.js';
import { k8tsNodeFlags } from './node-flags.js';

const binPath = fileURLToPath(new URL('../../bin/k8ts', import.meta.url));
const readyLine = /ready at (https:\/\/127\.0\.0\.1:\d+)/;

export interface ServerOptions {
  /** Extra node flags for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/x']. */
  nodeArgs?: string[];
  /** How long to wait for the ready line. */
  startTimeoutMs?: number;
  /** Keep the data dir after stop (for inspection). */
  keepDataDir?: boolean;
  /** Run the controllers in the server process too (default: the API server alone, with only the serviceaccounts controller, which pod admission needs). */
  controllers?: boolean;
  /** Extra `k8ts server` flags. */
  serverArgs?: string[];
}

export interface ServerProcess {
  pid: number;
  url: string;
  dataDir: string;
  kubeconfig: string;
  creds: Credentials;
  /** VmRSS/VmHWM of the server process in KiB. */
  memoryKb(): { rssKb: number; hwmKb: number };
  /** CPU time (user + system) the server has used so far, ms. */
  cpuMs(): number;
  /** Bytes of state.db plus its WAL and shared-memory files. */
  dbBytes(): { db: number; wal: number; total: number };
  /** SIGTERM, wait for a clean exit (profiles are written then), SIGKILL after 15 s; removes the data dir. */
  stop(): Promise<void>;
}

/** K8TS_BENCH_SERVER_ARGS="--disable-admission-plugins ServiceAccount": extra server flags for A/B runs of any bench. */
const serverArgsFromEnv = () => (process.env.K8TS_BENCH_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);

export async function startServer(opts: ServerOptions = {}): Promise<ServerProcess> {
  // API server benchmarks measure the API server alone unless asked to run the controllers; the
  // serviceaccounts controller runs anyway, because the ServiceAccount admission plugin refuses
  // pods whose namespace has no "default" account yet (as a real cluster's would).
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
  const logFd = openSync(join(dataDir, 'server.log'), 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [...k8tsNodeFlags(), ...(opts.nodeArgs ?? []), binPath, 'server', '--data-dir', dataDir, '--port', '0', '--bind', '127.0.0.1', ...(opts.controllers ? [] : ['--controllers', 'serviceaccount', '--disable', 'scheduler']), ...(opts.serverArgs ?? []), ...serverArgsFromEnv()],
    // The server's logs go to a file: a pipe nobody drains would stall it.
    { stdio: ['ignore', 'pipe', logFd], env: { ...process.env, K8TS_LOG_FORMAT: 'json' } },
  );
  closeSync(logFd);
  // If the benchmark dies, the server must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );

  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('server did not print its ready line in time')), opts.startTimeoutMs ?? 60_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      let log = '';
      try {
        log = readFileSync(join(dataDir, 'server.log'), 'utf8').slice(-2000);
      } catch {
        // No log yet.
      }
      reject(new Error(`${err.message}\n${log}`));
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      out += d;
      const m = readyLine.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then((code) => fail(new Error(`server exited with ${code} before it was ready`)));
  });
  // Keep draining stdout; the server writes nothing more there, but a full pipe would block it.
  child.stdout?.resume();

  const pid = child.pid ?? 0;
  const kubeconfig = join(dataDir, 'kubeconfig');
  const creds = readCredentials(kubeconfig);
  if (creds.url !== url) throw new Error(`kubeconfig points at ${creds.url}, server said ${url}`);

  const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0);
  let stopped: Promise<void> | undefined;
  return {
    pid,
    url,
    dataDir,
    kubeconfig,
    creds,
    memoryKb: () => memoryKb(pid),
    cpuMs: () => cpuMs(pid),
    dbBytes: () => {
      const db = size(join(dataDir, 'state.db'));
      const wal = size(join(dataDir, 'state.db-wal')) + size(join(dataDir, 'state.db-shm'));
      return { db, wal, total: db + wal };
    },
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }
        if (!opts.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
      })()),
  };
}

/**
 * Files a --cpu-prof run left in dir, largest first: the main thread's profile is the big one
 * (tsx's module loader thread writes a small profile of its own).
 */
export function cpuProfiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
}
