// Shared setup for the process runtime tests: a runtime over a temp rootDir with its own cgroup
// parent (removed afterwards), and sandbox/container configs with sensible defaults.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CgroupManager } from '../../../src/kubelet/cgroups/cgroups.js';
import { ProcessRuntime, type ProcessRuntimeOptions } from '../../../src/kubelet/runtime/process/runtime.js';
import type { ContainerConfig, PodSandboxConfig } from '../../../src/kubelet/runtime/types.js';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0 && process.platform === 'linux';

interface Ctx {
  after(fn: () => unknown): void;
}

export interface Env {
  dir: string;
  cgroups: CgroupManager;
  make(opts?: Partial<ProcessRuntimeOptions>): ProcessRuntime;
}

/** A temp rootDir and a cgroup parent unique to this test; everything is cleaned up after it. */
export function setup(t: Ctx): Env {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-proc-'));
  const parent = `k8ts-test-${randomBytes(4).toString('hex')}`;
  const cgroups = new CgroupManager({ parent });
  const runtimes: ProcessRuntime[] = [];
  t.after(async () => {
    // Each step on its own, so that a failing one does not leave processes, cgroups or files behind.
    for (const r of runtimes) {
      if (r.isClosed) continue; // a later runtime adopted its containers
      try {
        for (const s of await r.listPodSandboxes()) await r.removePodSandbox(s.id);
      } finally {
        r.close();
      }
    }
    try {
      await cgroups.removeTree();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  return {
    dir,
    cgroups,
    make(opts = {}) {
      const r = new ProcessRuntime({ rootDir: path.join(dir, 'root'), podCidr: '127.1.0.0/16', cgroups, ...opts });
      runtimes.push(r);
      return r;
    },
  };
}

let podCounter = 0;

export function sandboxConfig(dir: string, over: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  const n = ++podCounter;
  const uid = `uid-${n}-${randomBytes(3).toString('hex')}`;
  return {
    name: `pod-${n}`,
    namespace: 'default',
    uid,
    attempt: 0,
    hostname: `pod-${n}`,
    logDirectory: path.join(dir, 'logs', `default_pod-${n}_${uid}`),
    labels: { app: 'test' },
    annotations: {},
    portMappings: [],
    ...over,
  };
}

export function containerConfig(over: Partial<ContainerConfig> = {}): ContainerConfig {
  const name = over.name ?? 'c';
  return {
    name,
    attempt: 0,
    image: 'sh',
    command: [],
    args: [],
    envs: [],
    mounts: [],
    logPath: `${name}/0.log`,
    labels: {},
    annotations: {},
    ...over,
  };
}

/** Polls `check` every 10 ms until it returns a value other than undefined (no event exists for a process ending). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
