// The real kubectl against any kubeconfig (a `k8ts up` data dir, say), with a private discovery
// cache: for tests that do not start their cluster through startTestCluster.
import { spawn } from 'node:child_process';
import { kubectlPath, type KubectlResult } from './cluster.js';

export interface Kubectl {
  run(args: string[], opts?: { stdin?: string; binary?: string }): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  ok(args: string[], opts?: { stdin?: string; binary?: string }): Promise<string>;
}

export function kubectlFor(kubeconfig: string, cacheDir: string): Kubectl {
  const run: Kubectl['run'] = (args, o = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(o.binary ?? kubectlPath, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(o.stdin ?? '');
    });
  return {
    run,
    async ok(args, o) {
      const r = await run(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return r.stdout;
    },
  };
}
