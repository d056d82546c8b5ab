// The real kubectl against a kubeconfig, with a private discovery cache (so parallel tests never
// share one): what startTestCluster's kubectl() runs, and what tests whose cluster is a `k8ts up`
// process use directly.
import { spawn } from 'node:child_process';

export const kubectlPath = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  stdin?: string;
  /** Another kubectl binary, e.g. /usr/lib/google-cloud-sdk/bin/kubectl.1.28. */
  binary?: string;
  env?: Record<string, string>;
}

export interface Kubectl {
  run(args: string[], opts?: KubectlOptions): Promise<KubectlResult>;
  /** kubectl that must succeed; returns stdout. */
  ok(args: string[], opts?: KubectlOptions): Promise<string>;
}

/** `env` is added to this process's environment for every run (a run's own env on top). */
export function kubectlFor(kubeconfig: string, cacheDir: string, env: Record<string, string> = {}): Kubectl {
  const run: Kubectl['run'] = (args, o = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(o.binary ?? kubectlPath, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
        env: { ...process.env, ...env, ...o.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
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
