// Moves a container's raw output (DIR/stdout and DIR/stderr, appended by the container through its
// shim) into its CRI-format log file. The raw files are read from persisted offsets, so after an
// agent restart the pump resumes where it stopped (the records of output written while the agent was
// down carry the time the pump read them). Consumed bytes are released from disk by punching a hole
// at the start of the raw file (`fallocate --punch-hole`), which keeps the offsets valid while the
// container goes on appending.
//
// Offsets are saved at most once a second; after a crash of the agent, up to a second of output may
// appear twice in the log.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { CriLogWriter, type LogRotationOptions } from '../../logs/writer.js';
import type { LogStream } from '../../logs/cri-format.js';

const PUNCH_EVERY_BYTES = 4 * 1024 * 1024;
const SAVE_EVERY_MS = 1000;
// One read buffer for every pump (reads are synchronous, so two never share it): a zero-filled
// 64 KiB buffer per read, mostly of nothing, cost more than the reads.
const readBuf = Buffer.allocUnsafe(64 * 1024);

interface Offsets {
  stdout: number;
  stderr: number;
  punched: { stdout: number; stderr: number };
}

export class LogPump {
  private readonly writer: CriLogWriter;
  private offsets: Offsets;
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastSave = 0;
  private dirty = false;
  private closed = false;

  constructor(
    private readonly dir: string,
    logFile: string,
    rotation: LogRotationOptions,
    /** Called on every change in DIR (the runtime checks for the exit file). */
    private readonly onChange: () => void = () => {},
    /** Sees every chunk of raw output as it is read (attach sessions). */
    private readonly onData: (stream: LogStream, data: Buffer) => void = () => {},
    /** Resume from DIR/offsets.json (an adopted container); a container just started has none to read. */
    resume = true,
  ) {
    this.writer = new CriLogWriter(logFile, rotation);
    this.offsets = { stdout: 0, stderr: 0, punched: { stdout: 0, stderr: 0 } };
    if (!resume) return;
    try {
      this.offsets = JSON.parse(fs.readFileSync(path.join(dir, 'offsets.json'), 'utf8')) as Offsets;
    } catch {
      // none saved yet: from the start
    }
  }

  /** Starts watching DIR (inotify), with a slow timer as a safety net for missed events. */
  start(): void {
    try {
      // Only the raw output and the exit file matter (not offsets.json, which the pump writes itself).
      this.watcher = fs.watch(this.dir, (_event, name) => {
        if (name === 'stdout' || name === 'stderr' || name === 'exit' || name === null) this.tick();
      });
      this.watcher.on('error', () => {});
    } catch {
      this.watcher = undefined;
    }
    this.timer = setInterval(() => this.tick(), this.watcher ? 2000 : 100);
    this.timer.unref();
    this.tick();
  }

  private tick(): void {
    if (this.closed) return;
    this.pump();
    this.onChange();
  }

  /** Reads what is new in both raw files into the log. */
  pump(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) this.pumpStream(stream);
    if (this.dirty && Date.now() - this.lastSave > SAVE_EVERY_MS) this.save();
  }

  private pumpStream(stream: LogStream): void {
    const file = path.join(this.dir, stream);
    // Most ticks find nothing new (the safety-net timer of an idle container, the shim's other
    // files): one stat then, instead of an open, a read and a close. The raw files only grow
    // (punched holes keep their size), so a size at the offset means nothing to read.
    let fd: number;
    try {
      const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
      if (size === undefined || size <= this.offsets[stream]) return;
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      for (;;) {
        const n = fs.readSync(fd, readBuf, 0, readBuf.length, this.offsets[stream]);
        if (n <= 0) break;
        // A copy of what was read: the writer keeps an unterminated line's bytes.
        const chunk = Buffer.from(readBuf.subarray(0, n));
        this.writer.write(stream, chunk);
        this.onData(stream, chunk);
        this.offsets[stream] += n;
        this.dirty = true;
      }
    } finally {
      fs.closeSync(fd);
    }
    if (this.offsets[stream] - this.offsets.punched[stream] >= PUNCH_EVERY_BYTES) {
      const upTo = this.offsets[stream] - (this.offsets[stream] % 4096);
      this.offsets.punched[stream] = this.offsets[stream];
      spawn('fallocate', ['--punch-hole', '--offset', '0', '--length', String(upTo), file], { stdio: 'ignore' }).on('error', () => {});
    }
  }

  private save(): void {
    this.lastSave = Date.now();
    this.dirty = false;
    try {
      const tmp = path.join(this.dir, 'offsets.json.tmp');
      fs.writeFileSync(tmp, JSON.stringify(this.offsets));
      fs.renameSync(tmp, path.join(this.dir, 'offsets.json'));
    } catch {
      // the container was removed meanwhile
    }
  }

  /** Stops watching; with `final`, drains the raw files first (the container exited). */
  close(final: boolean): void {
    if (this.closed) return;
    if (final) this.pump();
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    this.writer.close();
    this.save();
  }
}
