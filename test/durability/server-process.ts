// `bin/k8ts server` as a child process that can be killed with SIGKILL: the durability storm
// needs a server whose death is abrupt (no close(), no checkpoint), so it cannot run in-process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { startK8ts, type K8tsProcess } from '../cli/k8ts-process.js';

/** The admin credentials from DIR/kubeconfig (embedded base64 data). */
export interface ClientTls {
  ca: string;
  cert: string;
  key: string;
}

export interface ServerProcess {
  url: string;
  tls: ClientTls;
  pid: number;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  /** SIGKILL; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM (clean shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
  stderr(): string;
}

/** Starts `k8ts server --data-dir DIR --port 0` (the API server alone: no controller writes objects of its own) and waits for its ready line. */
export async function startServerProcess(dataDir: string): Promise<ServerProcess> {
  const t0 = performance.now();
  const p: K8tsProcess = startK8ts(['server', '--data-dir', dataDir, '--port', '0', '--controllers', '', '--disable', 'scheduler'], { K8TS_LOG_LEVEL: 'warn' });
  let m: RegExpMatchArray;
  try {
    m = await p.waitForLine(/ready at (https:\/\/\S+)/);
  } catch (err) {
    p.child.kill('SIGKILL');
    throw err;
  }
  const readyMs = Math.round(performance.now() - t0);
  return {
    url: m[1],
    tls: readClientTls(join(dataDir, 'kubeconfig')),
    pid: p.child.pid ?? 0,
    readyMs,
    kill9: async () => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    },
    stop: async () => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      return (await p.exited).code;
    },
    stderr: p.stderr,
  };
}

interface Kubeconfig {
  clusters: { cluster: { 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export function readClientTls(kubeconfigPath: string): ClientTls {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8')) as Kubeconfig;
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  return {
    ca: b64(kc.clusters[0].cluster['certificate-authority-data']),
    cert: b64(kc.users[0].user['client-certificate-data']),
    key: b64(kc.users[0].user['client-key-data']),
  };
}

/**
 * Starts the server and SIGKILLs it after `afterMs`, whether it got ready or not: a kill while it
 * recovers the WAL, bootstraps or fills its watch cache. Resolves with whether it got ready.
 */
export async function startAndKill(dataDir: string, afterMs: number): Promise<{ wasReady: boolean }> {
  const p = startK8ts(['server', '--data-dir', dataDir, '--port', '0', '--controllers', '', '--disable', 'scheduler'], { K8TS_LOG_LEVEL: 'warn' });
  const ready = p.waitForLine(/ready at/).then(
    () => true,
    () => false,
  );
  // The point of this helper is a kill at an arbitrary moment, so a timer is the trigger.
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  p.child.kill('SIGKILL');
  await p.exited;
  return { wasReady: await ready };
}
