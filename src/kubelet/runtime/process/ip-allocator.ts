// Pod IPs for the process runtime: distinct loopback addresses from a CIDR (e.g. 127.1.0.0/16;
// Linux routes all of 127.0.0.0/8 to the loopback device, so a process can listen on any of them
// without configuration). Allocation goes round-robin from a cursor persisted in STATE_FILE so that
// a just-released address is not handed out again at once; the caller passes the addresses in use
// (those of its persisted sandboxes), so a restarted agent never hands out one that is taken. The
// cursor is read once and then kept in memory. It is written in place, synchronously, on every
// allocation: one small write at offset 0 of the existing file, padded to a fixed width so that the
// file is never truncated — no temp file (an inode to create per pod start) and no rename, and no
// truncation either (ext4 starts writing back a file replaced either way at once, auto_da_alloc).
// A torn write (a crash in the middle of it) reads as cursor 0, which only means released
// addresses may come back sooner — never one in use.
import * as fs from 'node:fs';
import { RuntimeError } from '../types.js';

function toInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`invalid IPv4 address ${ip}`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class IpAllocator {
  private readonly first: number;
  private readonly count: number;
  /** The persisted cursor, read once; later allocations advance it in memory. */
  private cursor: number | undefined;

  constructor(
    cidr: string,
    private readonly stateFile: string,
  ) {
    const [ip, bits] = cidr.split('/');
    const prefix = Number(bits ?? 32);
    if (!Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid pod CIDR ${cidr} (IPv4, /8 to /30)`);
    const size = 2 ** (32 - prefix);
    const base = toInt(ip) - (toInt(ip) % size);
    // Skip the network and broadcast addresses, as a real network would.
    this.first = base + 1;
    this.count = size - 2;
  }

  /**
   * A free address; `inUse` are the addresses of live sandboxes (and of those being created).
   * The cursor is saved at once; should that fail, the address is still handed out, since losing
   * the cursor's last step only means an address may be handed out again sooner.
   */
  allocate(inUse: Iterable<string>): string {
    const used = new Set(inUse);
    if (this.cursor === undefined) {
      try {
        this.cursor = (JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as { next: number }).next ?? 0;
      } catch {
        this.cursor = 0;
      }
    }
    for (let i = 0; i < this.count; i++) {
      const offset = (this.cursor + i) % this.count;
      const ip = toIp(this.first + offset);
      if (used.has(ip)) continue;
      this.cursor = (offset + 1) % this.count;
      this.save();
      return ip;
    }
    throw new RuntimeError(`no free pod IP left in the pod CIDR (${this.count} addresses)`, 'CreatePodSandboxError');
  }

  private save(): void {
    // JSON.parse allows the trailing spaces; 24 bytes hold any cursor of a /8.
    const text = JSON.stringify({ next: this.cursor }).padEnd(24);
    try {
      let fd: number;
      try {
        fd = fs.openSync(this.stateFile, 'r+');
      } catch {
        fd = fs.openSync(this.stateFile, 'w');
      }
      try {
        fs.writeSync(fd, text, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      // see allocate()
    }
  }
}
