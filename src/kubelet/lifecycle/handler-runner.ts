// postStart and preStop hooks (upstream pkg/kubelet/lifecycle/handlers.go). A hook is an exec
// in the container, an HTTP GET against the pod (only a transport error fails it: the status
// code is not checked, as upstream), or a sleep. The answer is undefined when the hook ran, else
// the message the kubelet puts in its FailedPostStartHook / FailedPreStopHook event.
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import type { Runtime } from '../runtime/types.js';
import { combinedOutput, execTimeoutMessage } from '../prober/probes/exec.js';
import { httpGet } from '../prober/probes/http.js';
import { KUBERNETES_MAJOR, KUBERNETES_MINOR } from '../../util/version.js';
import { resolveContainerPort } from '../prober/probes/port.js';

export interface HandlerContext {
  runtime: Runtime;
  containerId: string;
  podIP: string;
  pod: Pod;
  container: Container;
  /** Upper bound for the hook (preStop: the grace period). Default: exec unbounded, HTTP 10 s, as the kubelet's client. */
  timeoutMs?: number;
  /** Aborts a sleep hook early (the container is being killed). */
  signal?: AbortSignal;
}

/** upstream format.Pod: name_namespace(uid). */
const formatPod = (pod: Pod) => `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;

/** Go's %v of a []string: [a b c]. */
const goList = (xs: string[]) => `[${xs.join(' ')}]`;

export async function runLifecycleHandler(h: LifecycleHandler, ctx: HandlerContext): Promise<string | undefined> {
  const who = `for Container ${JSON.stringify(ctx.container.name)} in Pod ${JSON.stringify(formatPod(ctx.pod))}`;
  if (h.exec) {
    const cmd = h.exec.command ?? [];
    let output = '';
    let error: string | undefined;
    try {
      const r = await ctx.runtime.execSync(ctx.containerId, cmd, ctx.timeoutMs ?? 0);
      output = combinedOutput(r);
      if (r.timedOut) error = execTimeoutMessage(cmd);
      else if (r.exitCode !== 0) error = `command '${cmd.join(' ')}' exited with ${r.exitCode}: ${r.stderr.toString('utf8')}`;
    } catch (err) {
      error = (err as Error).message;
    }
    return error === undefined ? undefined : `Exec lifecycle hook (${goList(cmd)}) ${who} failed - error: ${error}, message: ${JSON.stringify(output)}`;
  }
  if (h.httpGet) {
    const g = h.httpGet;
    try {
      const port = resolveContainerPort(g.port, ctx.container);
      await httpGet({
        scheme: g.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
        host: g.host || ctx.podIP,
        port,
        path: g.path ?? '',
        headers: [{ name: 'User-Agent', value: `kube-lifecycle/${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}` }, ...(g.httpHeaders ?? [])],
        timeoutMs: ctx.timeoutMs ?? 10_000,
        followNonLocalRedirects: true,
      });
      return undefined;
    } catch (err) {
      return `HTTP lifecycle hook (${g.path ?? ''}) ${who} failed - error: ${(err as Error).message}`;
    }
  }
  if (h.sleep) {
    const seconds = h.sleep.seconds;
    const finished = await sleep(seconds * 1000, ctx.timeoutMs, ctx.signal);
    return finished ? undefined : `Sleep lifecycle hook (${seconds}) ${who} failed - error: container terminated before sleep hook finished`;
  }
  return `Cannot run handler: invalid handler: ${JSON.stringify(h)}`;
}

/** True when `ms` passed; false when the timeout came first or the signal aborted. */
function sleep(ms: number, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const cut = timeoutMs !== undefined && timeoutMs < ms;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(!cut), cut ? timeoutMs : ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
