// Reads CRI-format container logs for `kubectl logs` (tail, since, timestamps, stream, limit, follow).
// The rotated files come first, oldest first, then the current file, so a log reads in order across
// rotations. Records that do not parse are skipped, as the kubelet does.
import * as fs from 'node:fs';
import { parseCriLine, type CriRecord, type LogStream } from './cri-format.js';
import { rotatedLogFiles } from './writer.js';

export interface LogReadOptions {
  /** Only the last N records (lines). */
  tailLines?: number;
  /** Only records at or after this time (ms since epoch). */
  sinceMs?: number;
  /** Prefix every record with its RFC 3339 timestamp and a space. */
  timestamps?: boolean;
  /** Default: both. */
  stream?: LogStream | 'all';
  /** Stop after this many output bytes. */
  limitBytes?: number;
}

function recordsOf(data: Buffer): CriRecord[] {
  const out: CriRecord[] = [];
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    if (nl < 0) break;
    const rec = parseCriLine(data.subarray(start, nl));
    if (rec) out.push(rec);
    start = nl + 1;
  }
  return out;
}

/** What a record prints as: its content, plus a newline unless it is a fragment of a longer line. */
export function renderRecord(rec: CriRecord, timestamps: boolean): Buffer {
  const parts: Buffer[] = [];
  if (timestamps) parts.push(Buffer.from(`${rec.timestamp} `));
  parts.push(rec.content);
  if (!rec.partial) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

function selected(rec: CriRecord, opts: LogReadOptions): boolean {
  if (opts.stream && opts.stream !== 'all' && rec.stream !== opts.stream) return false;
  if (opts.sinceMs !== undefined && rec.timeMs < opts.sinceMs) return false;
  return true;
}

/** The whole log (rotated files included) as `kubectl logs` prints it. A missing file reads as empty. */
export function readContainerLog(file: string, opts: LogReadOptions = {}): Buffer {
  let current: Buffer;
  try {
    current = fs.readFileSync(file);
  } catch {
    current = Buffer.alloc(0);
  }
  const out = readContainerLogWithCurrent(file, current, opts);
  return opts.limitBytes !== undefined && out.length > opts.limitBytes ? out.subarray(0, opts.limitBytes) : out;
}

export interface LogFollower {
  /** Resolves when stop() was called. */
  done: Promise<void>;
  stop(): void;
}

/**
 * Prints the log as readContainerLog does, then keeps sending records appended later (following the
 * current file across rotations) until stop(). Polls every `intervalMs` (files may be written by
 * another process, so there is no in-memory event to wait for).
 */
export function followContainerLog(
  file: string,
  opts: LogReadOptions,
  onData: (chunk: Buffer) => void,
  intervalMs = 100,
): LogFollower {
  let sent = 0;
  const send = (chunk: Buffer): boolean => {
    if (opts.limitBytes !== undefined) {
      const room = opts.limitBytes - sent;
      if (room <= 0) return false;
      if (chunk.length > room) chunk = chunk.subarray(0, room);
    }
    sent += chunk.length;
    if (chunk.length > 0) onData(chunk);
    return opts.limitBytes === undefined || sent < opts.limitBytes;
  };
  // Open the current file first, so that nothing written after the initial read is lost.
  let fd: number | undefined;
  let ino = -1;
  let offset = 0;
  let carry: Buffer = Buffer.alloc(0);
  try {
    fd = fs.openSync(file, 'r');
    ino = fs.fstatSync(fd).ino;
  } catch {
    fd = undefined;
  }
  const initial = fd === undefined ? Buffer.alloc(0) : readFrom(fd, 0);
  offset = initial.length;
  const lastNl = initial.lastIndexOf(0x0a);
  carry = initial.subarray(lastNl + 1);
  // Rotated files plus the complete records of the current file, with tail applied across them.
  const firstPart = readContainerLogWithCurrent(file, initial.subarray(0, lastNl + 1), { ...opts, limitBytes: undefined });
  let stopped = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    if (fd !== undefined) fs.closeSync(fd);
    resolveDone();
  };
  const pump = (data: Buffer) => {
    const all = carry.length ? Buffer.concat([carry, data]) : data;
    const nl = all.lastIndexOf(0x0a);
    carry = all.subarray(nl + 1);
    for (const rec of recordsOf(all.subarray(0, nl + 1))) {
      if (selected(rec, opts) && !send(renderRecord(rec, opts.timestamps ?? false))) return stop();
    }
  };
  const poll = () => {
    if (stopped) return;
    if (fd !== undefined) {
      const data = readFrom(fd, offset);
      offset += data.length;
      pump(data);
    }
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(file);
    } catch {
      st = undefined;
    }
    if (st && st.ino !== ino) {
      // Rotated (maybe several times since the last poll): the old fd is drained above; read the
      // files rotated after it (all of them if it was deleted already), then the new current file.
      if (fd !== undefined) fs.closeSync(fd);
      const rotated = rotatedLogFiles(file);
      const at = rotated.findIndex((f) => inodeOf(f) === ino);
      for (const f of rotated.slice(at + 1)) {
        try {
          carry = Buffer.alloc(0);
          pump(fs.readFileSync(f));
        } catch {
          // deleted meanwhile
        }
        if (stopped) return;
      }
      try {
        fd = fs.openSync(file, 'r');
        ino = fs.fstatSync(fd).ino;
      } catch {
        fd = undefined;
      }
      offset = 0;
      carry = Buffer.alloc(0);
      poll();
    }
  };
  const timer = setInterval(poll, intervalMs);
  timer.unref?.();
  if (!send(firstPart)) stop();
  return { done, stop };
}

function readContainerLogWithCurrent(file: string, current: Buffer, opts: LogReadOptions): Buffer {
  const records: CriRecord[] = [];
  for (const f of rotatedLogFiles(file)) {
    try {
      for (const rec of recordsOf(fs.readFileSync(f))) if (selected(rec, opts)) records.push(rec);
    } catch {
      // removed by rotation meanwhile
    }
  }
  for (const rec of recordsOf(current)) if (selected(rec, opts)) records.push(rec);
  const tail = opts.tailLines !== undefined && opts.tailLines >= 0 ? records.slice(Math.max(0, records.length - opts.tailLines)) : records;
  return Buffer.concat(tail.map((r) => renderRecord(r, opts.timestamps ?? false)));
}

function readFrom(fd: number, offset: number): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, offset);
    if (n <= 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    offset += n;
  }
  return Buffer.concat(chunks);
}

function inodeOf(file: string): number {
  try {
    return fs.statSync(file).ino;
  } catch {
    return -2;
  }
}
