// The one place that runs the `nft` binary. A script is handed to `nft -f -` on stdin, so each
// call is one atomic kernel transaction: either every command in it takes effect or none does.
// Errors come back as NftError with nft's own message and the script lines it points at, so the
// proxier can name the service port that produced a bad line.
import { spawn } from 'node:child_process';

export const defaultNftPath = '/usr/sbin/nft';

export class NftError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    /** 1-based script line numbers nft complained about. */
    readonly lines: number[],
  ) {
    super(message);
    this.name = 'NftError';
  }
}

/** Line numbers in nft's "/dev/stdin:12:5-20: Error: …" messages. */
export function errorLines(stderr: string): number[] {
  const out = new Set<number>();
  for (const m of stderr.matchAll(/^(?:\/dev\/stdin|-):(\d+):/gm)) out.add(Number(m[1]));
  return [...out].sort((a, b) => a - b);
}

/** Runs `nft <args>`, with `stdin` written to it; resolves with stdout, rejects with NftError. */
export function runNft(args: string[], stdin = '', nftPath = defaultNftPath): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(nftPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => reject(new NftError(`cannot run ${nftPath}: ${e.message}`, '', [])));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new NftError(`nft ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`, stderr, errorLines(stderr)));
    });
    // A failing nft may exit before reading all of stdin; the 'close' handler reports why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
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
