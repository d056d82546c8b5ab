// Go's net/netip, which upstream's IP and CIDR libraries use: ParseAddr and ParsePrefix with their
// error messages (no leading zeros in IPv4 parts, zones after '%'), the canonical text form
// (RFC 5952 for IPv6) and the address classes (loopback, link-local, …).
import { goQuote } from './go-quote.js';

export interface Addr {
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: readonly number[];
  readonly zone: string;
}

export interface Prefix {
  readonly addr: Addr;
  readonly bits: number;
}

export class NetipError extends Error {}

const addrError = (input: string, msg: string, at?: string) => new NetipError(`ParseAddr(${goQuote(input)}): ${msg}${at ? ` (at ${goQuote(at)})` : ''}`);

function parseIPv4Fields(input: string, s: string): number[] {
  const fields: number[] = [];
  let val = 0;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= '0' && c <= '9') {
      if (digits === 1 && val === 0) throw addrError(input, 'IPv4 field has octet with leading zero');
      val = val * 10 + Number(c);
      digits++;
      if (val > 255) throw addrError(input, 'IPv4 field has value >255');
    } else if (c === '.') {
      if (i === 0 || i === s.length - 1 || s[i - 1] === '.') throw addrError(input, 'IPv4 field must have at least one digit', s.slice(i));
      if (fields.length === 3) throw addrError(input, 'IPv4 address too long');
      fields.push(val);
      val = 0;
      digits = 0;
    } else {
      throw addrError(input, 'unexpected character', s.slice(i));
    }
  }
  if (fields.length < 3) throw addrError(input, 'IPv4 address too short');
  fields.push(val);
  return fields;
}

function parseIPv6(input: string): Addr {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') throw addrError(input, 'zone must be a non-empty string');
  }
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const d = parseInt(s[off], 16);
      if (Number.isNaN(d)) break;
      acc = acc * 16 + d;
      if (off > 3) throw addrError(input, 'each group must have 4 or less digits', s);
      if (acc > 0xffff) throw addrError(input, 'IPv6 field has value >=2^16', s);
    }
    if (off === 0) throw addrError(input, 'each colon-separated field must have at least one digit', s);
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) throw addrError(input, 'embedded IPv4 address must replace the final 2 fields of the address', s);
      if (i + 4 > 16) throw addrError(input, 'too many hex fields to fit an embedded IPv4 at the end of the address', s);
      ip.splice(i, 4, ...parseIPv4Fields(input, s));
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') throw addrError(input, 'unexpected character, want colon', s);
    if (s.length === 1) throw addrError(input, 'colon must be followed by more characters', s);
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) throw addrError(input, 'multiple :: in address', s);
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') throw addrError(input, 'trailing garbage after address', s);
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, 'address string too short');
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    throw addrError(input, 'the :: must expand to at least one field of zeros', s);
  }
  return { bytes: ip, zone };
}

/** netip.ParseAddr; throws NetipError with Go's message. */
export function parseAddr(s: string): Addr {
  for (const c of s) {
    if (c === '.') return { bytes: parseIPv4Fields(s, s), zone: '' };
    if (c === ':') return parseIPv6(s);
    if (c === '%') throw addrError(s, 'missing IPv6 address');
  }
  throw addrError(s, 'unable to parse IP');
}

/** netip.ParsePrefix; throws NetipError with Go's message. */
export function parsePrefix(s: string): Prefix {
  const fail = (msg: string) => new NetipError(`netip.ParsePrefix(${goQuote(s)}): ${msg}`);
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw fail("no '/'");
  let addr: Addr;
  try {
    addr = parseAddr(s.slice(0, slash));
  } catch (err) {
    throw fail(err instanceof Error ? err.message : String(err));
  }
  if (addr.zone !== '') throw fail('IPv6 zones cannot be present in a prefix');
  const bitsText = s.slice(slash + 1);
  // Atoi would take a sign or leading zeros; ParsePrefix does not.
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText)) throw fail(`bad bits after slash: ${goQuote(bitsText)}`);
  const bits = Number(bitsText);
  if (bits > addr.bytes.length * 8) throw fail('prefix length out of range');
  return { addr, bits };
}

export const is4 = (a: Addr) => a.bytes.length === 4;

/** An IPv4 address written in IPv6 form, ::ffff:a.b.c.d. */
export const is4In6 = (a: Addr) => a.bytes.length === 16 && a.bytes.slice(0, 10).every((b) => b === 0) && a.bytes[10] === 0xff && a.bytes[11] === 0xff;

/** Addr.String: dotted IPv4; IPv6 in lower case with the longest run of zero groups as "::". */
export function addrString(a: Addr): string {
  if (is4(a)) return a.bytes.join('.');
  const zone = a.zone ? `%${a.zone}` : '';
  if (is4In6(a)) return `::ffff:${a.bytes.slice(12).join('.')}${zone}`;
  const groups = Array.from({ length: 8 }, (_, i) => (a.bytes[2 * i] << 8) | a.bytes[2 * i + 1]);
  let zeroStart = -1;
  let zeroLen = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > zeroLen) {
      zeroStart = i;
      zeroLen = j - i;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      out += '::';
      i += zeroLen - 1;
      continue;
    }
    if (i > 0 && i !== zeroStart + zeroLen) out += ':';
    out += groups[i].toString(16);
  }
  return out + zone;
}

export const prefixString = (p: Prefix) => `${addrString(p.addr)}/${p.bits}`;

export const sameAddr = (a: Addr, b: Addr) => a.zone === b.zone && a.bytes.length === b.bytes.length && a.bytes.every((x, i) => x === b.bytes[i]);

/** The address with every bit after the first `bits` cleared. */
export function maskAddr(a: Addr, bits: number): Addr {
  const bytes = a.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { bytes, zone: a.zone };
}

/** Prefix.Contains: same family, no zone, the first `bits` equal. */
export const prefixContains = (p: Prefix, a: Addr) => a.zone === '' && a.bytes.length === p.addr.bytes.length && sameAddr(maskAddr(a, p.bits), maskAddr(p.addr, p.bits));

const b = (a: Addr, i: number) => a.bytes[i];

export const isUnspecified = (a: Addr) => a.bytes.every((x) => x === 0);
export const isLoopback = (a: Addr) => (is4(a) ? b(a, 0) === 127 : a.bytes.slice(0, 15).every((x) => x === 0) && b(a, 15) === 1);
export const isMulticast = (a: Addr) => (is4(a) ? (b(a, 0) & 0xf0) === 0xe0 : b(a, 0) === 0xff);
export const isLinkLocalMulticast = (a: Addr) => (is4(a) ? b(a, 0) === 224 && b(a, 1) === 0 && b(a, 2) === 0 : b(a, 0) === 0xff && (b(a, 1) & 0x0f) === 0x02);
export const isLinkLocalUnicast = (a: Addr) => (is4(a) ? b(a, 0) === 169 && b(a, 1) === 254 : b(a, 0) === 0xfe && (b(a, 1) & 0xc0) === 0x80);

/** Addr.IsGlobalUnicast: anything but unspecified, broadcast, loopback, multicast and link-local. */
export function isGlobalUnicast(a: Addr): boolean {
  if (is4(a) && a.bytes.every((x) => x === 255)) return false;
  return !isUnspecified(a) && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
}
