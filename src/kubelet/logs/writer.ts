// Writes a container's stdout/stderr bytes to its CRI-format log file and rotates it by size, as
// the kubelet's container log manager does (--container-log-max-size, --container-log-max-files):
// when the current file would exceed maxSizeBytes, it is renamed to PATH.YYYYMMDD-HHMMSS and a new
// one started; only the newest maxFiles files (the current one included) are kept.
//
// Contract: one writer per log file; calls are synchronous (the bytes are on disk when write()
// returns), so the order of records is the order of calls. Bytes are split into lines per stream;
// an unterminated tail waits in a per-stream buffer until its newline, until it reaches
// MAX_LINE_BYTES (then a P record), or until end() (then an F record, as containerd does at EOF).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { criTimestamp, formatCriLine, MAX_LINE_BYTES, type LogStream } from './cri-format.js';

export interface LogRotationOptions {
  /** Upstream default 10 MiB. 0 disables rotation. */
  maxSizeBytes?: number;
  /** Files kept, current included (upstream default 5, minimum 2 when rotating). */
  maxFiles?: number;
}

export const DEFAULT_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_LOG_MAX_FILES = 5;

export class CriLogWriter {
  private fd: number | undefined;
  private size = 0;
  private readonly pending: Record<LogStream, Buffer[]> = { stdout: [], stderr: [] };
  private readonly pendingBytes: Record<LogStream, number> = { stdout: 0, stderr: 0 };
  private readonly maxSize: number;
  private readonly maxFiles: number;

  constructor(
    readonly file: string,
    opts: LogRotationOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxSize = opts.maxSizeBytes ?? DEFAULT_LOG_MAX_SIZE;
    this.maxFiles = Math.max(2, opts.maxFiles ?? DEFAULT_LOG_MAX_FILES);
  }

  /** Appends raw output of one stream. */
  write(stream: LogStream, data: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      this.addPending(stream, data.subarray(start, nl));
      this.emit(stream, Buffer.concat(this.pending[stream]), false);
      this.pending[stream] = [];
      this.pendingBytes[stream] = 0;
      start = nl + 1;
    }
    if (start < data.length) this.addPending(stream, data.subarray(start));
  }

  /** Flushes an unterminated last line of each stream as a full record (the streams ended). */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pendingBytes[stream] > 0) this.emit(stream, Buffer.concat(this.pending[stream]), false);
      this.pending[stream] = [];
      this.pendingBytes[stream] = 0;
    }
  }

  close(): void {
    this.end();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  // Buffers an unterminated piece; whenever a stream's buffer reaches MAX_LINE_BYTES it goes out as P.
  private addPending(stream: LogStream, piece: Buffer): void {
    while (this.pendingBytes[stream] + piece.length > MAX_LINE_BYTES) {
      const take = MAX_LINE_BYTES - this.pendingBytes[stream];
      this.pending[stream].push(piece.subarray(0, take));
      this.emit(stream, Buffer.concat(this.pending[stream]), true);
      this.pending[stream] = [];
      this.pendingBytes[stream] = 0;
      piece = piece.subarray(take);
    }
    if (piece.length > 0) {
      this.pending[stream].push(piece);
      this.pendingBytes[stream] += piece.length;
    }
  }

  private emit(stream: LogStream, content: Buffer, partial: boolean): void {
    const line = formatCriLine(criTimestamp(this.now()), stream, partial, content);
    this.open();
    if (this.maxSize > 0 && this.size > 0 && this.size + line.length > this.maxSize) this.rotate();
    this.open();
    fs.writeSync(this.fd!, line);
    this.size += line.length;
  }

  private open(): void {
    if (this.fd !== undefined) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.fd = fs.openSync(this.file, 'a');
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    fs.closeSync(this.fd!);
    this.fd = undefined;
    const stamp = new Date(this.now()).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    let target = `${this.file}.${stamp}`;
    for (let n = 1; fs.existsSync(target); n++) target = `${this.file}.${stamp}.${n}`;
    fs.renameSync(this.file, target);
    const rotated = rotatedLogFiles(this.file);
    for (const old of rotated.slice(0, Math.max(0, rotated.length - (this.maxFiles - 1)))) fs.rmSync(old, { force: true });
  }
}

/** The rotated files of a log, oldest first (PATH.YYYYMMDD-HHMMSS[.N]). */
export function rotatedLogFiles(file: string): string[] {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const key = (name: string) => {
    const m = /^(\d{8}-\d{6})(?:\.(\d+))?$/.exec(name.slice(base.length + 1));
    return m ? `${m[1]}.${(m[2] ?? '0').padStart(6, '0')}` : undefined;
  };
  return names
    .filter((n) => n.startsWith(`${base}.`) && key(n) !== undefined)
    .sort((a, b) => (key(a)! < key(b)! ? -1 : 1))
    .map((n) => path.join(dir, n));
}
