// Shared setup for the node agent's e2e tests: a process runtime over a temp dir with its own
// cgroup parent, a silent logger, and waiting for an API object to satisfy a predicate by watching
// it (no sleeps).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import type { Client } from '../../src/client/rest/client.js';
import type { ResourceRef } from '../../src/client/rest/resource-ref.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { CgroupManager, removeCgroup } from '../../src/kubelet/cgroups/cgroups.js';
import { ProcessRuntime } from '../../src/kubelet/runtime/process/runtime.js';
import { createLogger } from '../../src/util/log.js';

const logFile = process.env.K8TS_TEST_LOG_FILE;
export const silentLog = createLogger('kubelet-test', {
  level: logFile ? 'debug' : 'silent',
  format: 'json',
  destination: (logFile ? fs.createWriteStream(logFile) : new Writable({ write: (_c, _e, cb) => cb() })) as never,
});

export interface RuntimeEnv {
  dir: string;
  runtime: ProcessRuntime;
  /** Closes the current runtime (containers keep running) and opens a new one over the same state. */
  reopen(): ProcessRuntime;
  cleanup(): Promise<void>;
}

export function processRuntimeEnv(): RuntimeEnv {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-agent-'));
  const cgroups = new CgroupManager({ parent: `k8ts-test-${randomBytes(4).toString('hex')}` });
  const open = () => new ProcessRuntime({ rootDir: path.join(dir, 'runtime'), podCidr: '127.1.0.0/16', cgroups, log: silentLog });
  let runtime = open();
  return {
    dir,
    get runtime() {
      return runtime;
    },
    reopen() {
      runtime.close();
      runtime = open();
      return runtime;
    },
    async cleanup() {
      for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id).catch(() => undefined);
      runtime.close();
      for (const base of cgroups.baseDirs()) await removeCgroup({ mode: cgroups.mode === 'v2' ? 'v2' : 'v1', dirs: { unified: base } }).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the object once `pred` holds (checked now and on every watch event); rejects after `timeoutMs`. */
export async function waitFor<T extends KubeObject>(client: Client, ref: ResourceRef<T>, namespace: string | undefined, name: string, pred: (obj: T | undefined) => boolean, timeoutMs = 10_000): Promise<T | undefined> {
  const rc = namespace ? client.resource(ref, namespace) : client.resource(ref);
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    const list = await rc.list({ fieldSelector: `metadata.name=${name}` });
    last = list.items[0];
    if (pred(last)) return last;
    const w = await rc.watch({ fieldSelector: `metadata.name=${name}`, resourceVersion: list.metadata.resourceVersion });
    const timer = setTimeout(() => w.stop(), Math.max(0, deadline - Date.now()));
    try {
      for await (const ev of w) {
        if (ev.type === 'DELETED') last = undefined;
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') last = ev.object as T;
        else continue;
        if (pred(last)) return last;
      }
    } finally {
      clearTimeout(timer);
      w.stop();
    }
  }
  const final = (await rc.list({ fieldSelector: `metadata.name=${name}` })).items[0];
  if (pred(final)) throw new Error(`watch missed the change of ${ref.plural} ${namespace ?? ''}/${name}`);
  throw new Error(`timed out waiting for ${ref.plural} ${namespace ?? ''}/${name}; last seen: ${JSON.stringify(last?.status ?? last ?? null)}`);
}

export const waitForPod = (client: Client, ns: string, name: string, pred: (p: Pod | undefined) => boolean, timeoutMs?: number) => waitFor(client, resources.pods, ns, name, pred as never, timeoutMs) as Promise<Pod | undefined>;

export function condition(p: Pod | undefined, type: string): string | undefined {
  return p?.status?.conditions?.find((c) => c.type === type)?.status;
}

/** A pod bound to `nodeName` directly (no scheduler). */
export function boundPod(name: string, nodeName: string, spec: Partial<Pod['spec']> & { containers: NonNullable<Pod['spec']>['containers'] }): Pod & KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName, terminationGracePeriodSeconds: 1, ...spec },
  } as Pod & KubeObject;
}
