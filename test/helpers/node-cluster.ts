// A test cluster with one node agent running real processes: the API server over HTTPS (with the
// controllers and scheduler asked for), a process runtime in a temp dir and the agent serving the
// kubelet API, so kubectl logs/exec/attach/run go the whole way. Plus a kubectl that keeps running
// (attach, port-forward) whose output a test can wait for and whose stdin it can feed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants } from 'node:os';
import * as path from 'node:path';
import { startTestCluster, kubectlPath, type TestCluster } from './cluster.js';
import { loadConfig } from '../../src/client/kubeconfig/load.js';
import { Client } from '../../src/client/rest/client.js';
import { startNodeAgent, type NodeAgent, type NodeAgentOptions } from '../../src/kubelet/node-agent.js';
import { processRuntimeEnv, silentLog, type RuntimeEnv } from '../kubelet/agent-helpers.js';

export interface NodeCluster {
  cluster: TestCluster;
  client: Client;
  env: RuntimeEnv;
  agent: NodeAgent;
  close(): Promise<void>;
}

/** `agent`: options for the node agent beyond the defaults here (e.g. a short restart back-off). */
export async function startNodeCluster(opts: { nodeName: string; controllers?: string[]; scheduler?: boolean; agent?: Partial<NodeAgentOptions>; metricResolutionMs?: number; hpaSyncPeriodMs?: number }): Promise<NodeCluster> {
  // Pods' kube-api-access volumes project kube-root-ca.crt, which the publisher provides.
  const cluster = await startTestCluster({ controllers: [...(opts.controllers ?? []), 'root-ca-cert-publisher'], scheduler: opts.scheduler, metricResolutionMs: opts.metricResolutionMs, hpaSyncPeriodMs: opts.hpaSyncPeriodMs });
  const client = Client.fromConfig(loadConfig({ kubeconfig: cluster.kubeconfig }));
  const env = processRuntimeEnv();
  const agent = await startNodeAgent({
    client,
    nodeName: opts.nodeName,
    rootDir: path.join(env.dir, 'agent'),
    runtime: env.runtime,
    log: silentLog,
    nodeIP: '127.0.0.1',
    plegPeriodMs: 200,
    kubeletServer: { port: 0, bindAddress: '127.0.0.1', clientCaPem: cluster.server.pki.caCertPem },
    ...opts.agent,
  });
  await agent.ready;
  return {
    cluster,
    client,
    env,
    agent,
    async close() {
      await agent.stop({ killPods: true });
      await env.cleanup();
      await client.close();
      await cluster.close();
    },
  };
}

export interface RunningKubectl {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with stdout once it matches `re`; rejects if kubectl exits first or after `timeoutMs`. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or 128+signal) and the whole output. */
  exited: Promise<{ code: number; stdout: string; stderr: string }>;
  /** Ends kubectl with SIGTERM (if still running) and waits for it. */
  stop(): Promise<void>;
}

/** Starts kubectl against `cluster` and returns at once; stdin stays open until the test ends it. */
export function startKubectl(cluster: TestCluster, args: string[], opts: { binary?: string } = {}): RunningKubectl {
  const child = spawn(opts.binary ?? kubectlPath, ['--kubeconfig', cluster.kubeconfig, ...args], {
    env: { ...process.env, HOME: cluster.dataDir, KUBECONFIG: cluster.kubeconfig },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const w of waiters) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    changed();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
    changed();
  });
  child.stdin.on('error', () => {});
  let done = false;
  const exited = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      done = true;
      resolve({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr });
      changed();
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForOutput(re, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`kubectl ${args.join(' ')}: no output matching ${re} within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
        const check = () => {
          if (re.test(stdout)) finish();
          else if (done) finish(new Error(`kubectl ${args.join(' ')} exited ${child.exitCode ?? child.signalCode} before printing ${re}\nstdout: ${stdout}\nstderr: ${stderr}`));
        };
        const finish = (err?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve(stdout);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
