// The server side of a SPDY/3.1 connection, as much of it as kubectl's streams use (exec, attach
// and port-forward over moby/spdystream): the client opens streams (SYN_STREAM with a header
// block such as `streamtype: stdout`), the server replies at once (SYN_REPLY, empty headers),
// and data flows both ways until each side sends FIN. PING is echoed; SETTINGS and
// WINDOW_UPDATE are accepted (spdystream does not enforce flow control, so neither do we, but
// we return window for what we read so a client that does is never stalled).
//
// Header blocks are zlib streams with the SPDY/3 dictionary; each direction keeps one
// compression context for the whole connection, so frames are processed strictly in order.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const WINDOW_UPDATE = 9;
const FLAG_FIN = 1;
const MAX_DATA = 32 * 1024;
const RST_CANCEL = 5;
const RST_PROTOCOL_ERROR = 1;

/** One SPDY stream: readable = what the client sent, writable = what we send. */
export class SpdyStream extends Duplex {
  constructor(
    readonly id: number,
    /** Request headers, names lower-cased; several values joined with NUL as on the wire. */
    readonly headers: Record<string, string>,
    private readonly session: SpdyServerSession,
  ) {
    super({ allowHalfOpen: true });
  }

  override _read(): void {
    // Data is pushed as frames arrive.
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false);
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.session.sendData(this.id, Buffer.alloc(0), true);
    cb();
  }

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    this.session.forget(this.id, err !== null);
    cb(err);
  }
}

/** Reads frames from `socket`, emits 'stream' for each stream the client opens, 'close' once. */
export class SpdyServerSession extends EventEmitter {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, SpdyStream>();
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflate: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  /** Frame handling and header compression are sequential: one zlib context per direction. */
  private inbound: Promise<void> = Promise.resolve();
  private outbound: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
    this.inflate.on('error', () => this.close());
    this.deflate.on('error', () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    this.socket.destroy();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }

  sendData(id: number, data: Buffer, fin: boolean): void {
    for (let off = 0; off < data.length || (fin && off === 0); off += MAX_DATA) {
      const part = data.subarray(off, off + MAX_DATA);
      const last = off + MAX_DATA >= data.length;
      const head = Buffer.alloc(8);
      head.writeUInt32BE(id & 0x7fffffff, 0);
      head.writeUInt32BE(((fin && last ? FLAG_FIN : 0) << 24) | part.length, 4);
      this.write(Buffer.concat([head, part]));
      if (last) break;
    }
  }

  forget(id: number, reset: boolean): void {
    if (!this.streams.delete(id) || !reset || this.closed) return;
    const body = Buffer.alloc(8);
    body.writeUInt32BE(id & 0x7fffffff, 0);
    body.writeUInt32BE(RST_CANCEL, 4);
    this.write(controlFrame(RST_STREAM, 0, body));
  }

  private write(frame: Buffer): void {
    // Header-carrying frames are queued behind compression; keep every frame in that order.
    this.outbound = this.outbound.then(() => {
      if (!this.closed) this.socket.write(frame);
    });
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) break;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      this.inbound = this.inbound.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4]!;
    const body = frame.subarray(8);
    if ((frame[0]! & 0x80) === 0) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const stream = this.streams.get(id);
      if (!stream) return;
      if (body.length) {
        stream.push(Buffer.from(body));
        this.returnWindow(id, body.length);
      }
      if (flags & FLAG_FIN) stream.push(null);
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case SYN_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = parseHeaderBlock(await this.decompress(body.subarray(10)));
        if (this.streams.has(id) || id % 2 === 0) {
          const rst = Buffer.alloc(8);
          rst.writeUInt32BE(id, 0);
          rst.writeUInt32BE(RST_PROTOCOL_ERROR, 4);
          this.write(controlFrame(RST_STREAM, 0, rst));
          return;
        }
        const stream = new SpdyStream(id, headers, this);
        this.streams.set(id, stream);
        await this.reply(id);
        if (flags & FLAG_FIN) stream.push(null);
        this.emit('stream', stream);
        return;
      }
      case RST_STREAM: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const stream = this.streams.get(id);
        this.streams.delete(id);
        stream?.destroy();
        return;
      }
      case PING:
        this.write(controlFrame(PING, 0, Buffer.from(body)));
        return;
      case GOAWAY:
        this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE, HEADERS, NOOP: nothing to do for these streams.
        return;
    }
  }

  private returnWindow(id: number, n: number): void {
    for (const target of [id, 0]) {
      const b = Buffer.alloc(8);
      b.writeUInt32BE(target, 0);
      b.writeUInt32BE(n, 4);
      this.write(controlFrame(WINDOW_UPDATE, 0, b));
    }
  }

  private async reply(id: number): Promise<void> {
    const block = await this.compress(encodeHeaderBlock({}));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(id & 0x7fffffff, 0);
    this.write(controlFrame(SYN_REPLY, 0, Buffer.concat([head, block])));
  }

  private decompress(block: Buffer): Promise<Buffer> {
    return flushThrough(this.inflate, block);
  }

  private compress(block: Buffer): Promise<Buffer> {
    // Ordered with the frames already queued, so the peer inflates blocks in the order we deflated them.
    const result = this.outbound.then(() => flushThrough(this.deflate, block));
    this.outbound = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** Writes `input` and a sync flush, and returns exactly the output produced for it. */
function flushThrough(z: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (d: Buffer) => out.push(d);
    z.on('data', onData);
    z.write(input);
    z.flush(constants.Z_SYNC_FLUSH, () => {
      z.off('data', onData);
      resolve(Buffer.concat(out));
    });
    z.once('error', reject);
  });
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE((flags << 24) | body.length, 4);
  return Buffer.concat([head, body]);
}

export function parseHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let off = 4;
  const count = block.readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const nameLen = block.readUInt32BE(off);
    const name = block.subarray(off + 4, off + 4 + nameLen).toString().toLowerCase();
    off += 4 + nameLen;
    const valueLen = block.readUInt32BE(off);
    headers[name] = block.subarray(off + 4, off + 4 + valueLen).toString();
    off += 4 + valueLen;
  }
  return headers;
}

export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(Object.keys(headers).length, 0);
  parts.push(count);
  for (const [k, v] of Object.entries(headers)) {
    for (const s of [k.toLowerCase(), v]) {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(Buffer.byteLength(s), 0);
      parts.push(len, Buffer.from(s));
    }
  }
  return Buffer.concat(parts);
}
