// The one place that runs the `nft` binary. A script is handed to `nft -f -` on stdin, so each
// call is one atomic kernel transaction: either every command in it takes effect or none does.
// Errors come back as NftError with nft's own message and the script lines it points at, so the
// proxier can name the service port that produced a bad line.
import { firstLines, RuleToolError, runTool } from '../run-tool.js';

export const defaultNftPath = '/usr/sbin/nft';

export class NftError extends RuleToolError {
  override name = 'NftError';
}

/** Line numbers in nft's "/dev/stdin:12:5-20: Error: …" messages. */
export function errorLines(stderr: string): number[] {
  const out = new Set<number>();
  for (const m of stderr.matchAll(/^(?:\/dev\/stdin|-):(\d+):/gm)) out.add(Number(m[1]));
  return [...out].sort((a, b) => a - b);
}

/** Runs `nft <args>`, with `stdin` written to it; resolves with stdout, rejects with NftError. */
export async function runNft(args: string[], stdin = '', nftPath = defaultNftPath): Promise<string> {
  const r = await runTool(nftPath, args, stdin).catch((e: Error) => {
    throw new NftError(`cannot run ${nftPath}: ${e.message}`, '', []);
  });
  if (r.code === 0) return r.stdout;
  throw new NftError(`nft ${args.join(' ')} exited with ${r.code}: ${firstLines(r.stderr, 6)}`, r.stderr, errorLines(r.stderr));
}

/** Applies a script as one transaction (`nft -f -`). */
export function applyScript(script: string, nftPath?: string): Promise<void> {
  return runNft(['-f', '-'], script, nftPath).then(() => undefined);
}

/** Whether an nft binary runs here (and we may talk to the kernel: `nft list tables` needs CAP_NET_ADMIN). */
export async function nftAvailable(nftPath = defaultNftPath): Promise<string | undefined> {
  if (process.platform !== 'linux') return `nftables needs Linux (this is ${process.platform})`;
  try {
    await runNft(['list', 'tables'], '', nftPath);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
