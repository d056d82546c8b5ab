// Runs one of the host tools the proxy drives (nft, iptables-restore/-save, conntrack): `stdin`
// written to it, its output collected. Resolves with the exit code and both outputs whatever the
// code (each caller decides what a failure means); rejects only when the tool cannot be started.
import { spawn } from 'node:child_process';

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(path: string, args: readonly string[], stdin = ''): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    // A failing tool may exit before reading all of its input; 'close' reports why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/**
 * A rule tool's failure, with its message and the 1-based input lines it names, so a proxier
 * can blame the service ports that wrote those lines (NftError, IptablesError).
 */
export class RuleToolError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly lines: number[],
  ) {
    super(message);
  }
}

/** The first `n` lines of a tool's stderr on one line, for an error message. */
export const firstLines = (stderr: string, n: number) => stderr.trim().split('\n').slice(0, n).join(' | ');
