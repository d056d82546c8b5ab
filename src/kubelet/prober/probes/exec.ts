// exec probes and hooks: a command run in the container through the runtime (upstream
// pkg/probe/exec and the CRI ExecSync). Exit 0 is success; the combined output (first 10 KiB)
// is the message. A runtime error is thrown: the caller decides (probe: Unknown; hook: failure).
import type { ExecResult, Runtime } from '../../runtime/types.js';
import { maxProbeOutput, type ProbeOutcome } from './result.js';

export function combinedOutput(r: ExecResult): string {
  return Buffer.concat([r.stdout, r.stderr]).subarray(0, maxProbeOutput).toString('utf8');
}

/** The runtime's message for a command that timed out (CRI: `command "sh -c sleep 5" timed out`). */
export const execTimeoutMessage = (cmd: string[]) => `command ${JSON.stringify(cmd.join(' '))} timed out`;

export async function execProbe(runtime: Runtime, containerId: string, cmd: string[], timeoutMs: number): Promise<ProbeOutcome> {
  const r = await runtime.execSync(containerId, cmd, timeoutMs);
  if (r.timedOut) return { result: 'Failure', output: execTimeoutMessage(cmd) };
  return { result: r.exitCode === 0 ? 'Success' : 'Failure', output: combinedOutput(r) };
}
