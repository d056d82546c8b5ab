// A long-lived `nft -i` process for small transactions. Starting nft costs more than the work
// of a one-element change (an exec, library loading, a netlink handshake: 5–10 ms on an idle
// machine, 50–150 ms on a loaded one), and the change must reach the kernel within 100 ms. In
// interactive mode every input line is one transaction, so a script's commands are joined with
// " ; " into one line (our commands never contain a newline); nft prints nothing on success and
// its errors on stderr. After each transaction we send a sentinel — a listing of a table that
// cannot exist — whose error, carrying a sequence number, marks the end of that transaction's
// output on the same stream, so nothing depends on the interleaving of stdout and stderr.
// nft keeps every line in its (libedit) history: HOME points nowhere so nothing is written to
// disk, and the process is replaced after `maxBytes` of input so the history cannot grow
// without bound. Callers serialise; apply() calls are queued anyway.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { defaultNftPath, NftError } from './nft.js';

const sentinelTable = 'k8ts-nft-session-sentinel';

export class NftSession {
  private child: ChildProcessWithoutNullStreams | undefined;
  private stderr = '';
  private written = 0;
  private seq = 0;
  private waiting: { marker: string; resolve: (stderr: string) => void; reject: (err: Error) => void } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly nftPath = defaultNftPath,
    private readonly maxBytes = 8 << 20,
  ) {}

  /** Applies `commands` as one transaction; rejects with NftError (nft's message) if nft refused it. */
  apply(commands: readonly string[]): Promise<void> {
    const run = this.queue.then(() => this.run(commands));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(commands: readonly string[]): Promise<void> {
    if (commands.some((c) => c.includes('\n'))) throw new Error('nft session: a command contains a newline');
    if (this.child && this.written > this.maxBytes) this.close();
    const child = this.child ?? this.start();
    const marker = `${sentinelTable}-${++this.seq}`;
    const line = `${commands.length ? `${commands.join(' ; ')}\n` : ''}list table ip ${marker}\n`;
    this.written += line.length;
    const output = new Promise<string>((resolve, reject) => (this.waiting = { marker, resolve, reject }));
    child.stdin.write(line);
    this.check();
    const stderr = await output;
    if (/^Error: /m.test(stderr)) throw new NftError(`nft refused the transaction: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`, stderr, []);
  }

  private start(): ChildProcessWithoutNullStreams {
    const child = spawn(this.nftPath, ['-i'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: '/nonexistent' } });
    this.child = child;
    this.stderr = '';
    this.written = 0;
    child.stdout.resume();
    child.stderr.setEncoding('utf8');
    // A replaced process's late output and exit concern nobody any more.
    child.stderr.on('data', (d: string) => {
      if (this.child !== child) return;
      this.stderr += d;
      this.check();
    });
    child.stdin.on('error', () => undefined);
    const gone = (why: string) => {
      if (this.child !== child) return;
      this.child = undefined;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new NftError(`nft session ended: ${why}`, this.stderr, []));
    };
    child.on('error', (err) => gone(err.message));
    child.on('exit', (code, signal) => gone(`exit ${code ?? signal}`));
    return child;
  }

  /** Resolves the waiting transaction once its sentinel's error (three lines: message, command, carets) is complete. */
  private check(): void {
    const w = this.waiting;
    if (!w) return;
    const at = this.stderr.indexOf(`list table ip ${w.marker}\n`);
    if (at < 0) return;
    const end = this.stderr.indexOf('\n', at + w.marker.length + 15);
    if (end < 0) return;
    const start = this.stderr.lastIndexOf('Error: ', at);
    const own = this.stderr.slice(0, start < 0 ? at : start);
    this.stderr = this.stderr.slice(end + 1);
    this.waiting = undefined;
    w.resolve(own);
  }

  /** Starts the process and lets nft fill its cache, so the first real transaction is quick. */
  warm(): Promise<void> {
    return this.apply([]);
  }

  /** Ends the process (a new one starts with the next transaction). */
  close(): void {
    const child = this.child;
    this.child = undefined;
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(new NftError('nft session closed', this.stderr, []));
    if (!child) return;
    child.stdin.end();
    child.kill();
  }
}
