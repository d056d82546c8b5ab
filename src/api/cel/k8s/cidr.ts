// Kubernetes' CIDR library (k8s.io/apiserver/pkg/cel/library/cidr.go, 1.30+): cidr(), isCIDR(),
// containsIP, containsCIDR, ip(), masked(), prefixLength() and string(cidr). A CIDR keeps the
// address as written ("192.168.0.1/24" is valid; masked() clears the host bits). containsCIDR
// compares masked addresses, as upstream does since kubernetes#130450 (1.32.0 compared the other
// CIDR's address unmasked, so a subnet with host bits set was not contained).
import type { Environment } from '@marcbachmann/cel-js';
import { libraryError } from '../library.js';
import { goQuote } from './go-quote.js';
import { IP_TYPE, IPValue, toIP } from './ip.js';
import { is4In6, maskAddr, parsePrefix, prefixContains, prefixString, sameAddr, type Prefix } from './netip.js';
import { defineType, parses } from './runtime.js';

const CIDR_TYPE = 'net.CIDR';

class CIDRValue {
  constructor(readonly prefix: Prefix) {}
}

const prefixError = 'network address parse error during conversion from string';

/** upstream's parseCIDR: netip.ParsePrefix without IPv4-mapped addresses. */
function parseCIDR(s: string): Prefix {
  let prefix: Prefix;
  try {
    prefix = parsePrefix(s);
  } catch (err) {
    throw new Error(`${prefixError}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (is4In6(prefix.addr)) throw new Error(`IPv4-mapped IPv6 address ${goQuote(s)} is not allowed`);
  return prefix;
}

function toCIDR(s: string): CIDRValue {
  try {
    return new CIDRValue(parseCIDR(s));
  } catch (err) {
    throw libraryError(`${prefixError}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const isCIDR = parses(parseCIDR);

function containsCIDR(outer: CIDRValue, inner: CIDRValue): boolean {
  const { addr, bits } = outer.prefix;
  const other = inner.prefix.addr;
  return other.bytes.length === addr.bytes.length && bits <= inner.prefix.bits && sameAddr(maskAddr(addr, bits), maskAddr(other, bits));
}

/** A string that is not an IP address makes containsIP fail with "no such overload", as upstream. */
function containsIPString(c: CIDRValue, s: string): boolean {
  let ip: IPValue;
  try {
    ip = toIP(s);
  } catch {
    throw libraryError('no such overload');
  }
  return prefixContains(c.prefix, ip.addr);
}

const masked = (c: CIDRValue) => new CIDRValue({ addr: maskAddr(c.prefix.addr, c.prefix.bits), bits: c.prefix.bits });

export function registerCIDR(env: Environment): void {
  defineType(env, CIDR_TYPE, CIDRValue);
  env.registerFunction(`cidr(string): ${CIDR_TYPE}`, toCIDR);
  env.registerFunction('isCIDR(string): bool', isCIDR);
  env.registerFunction(`${CIDR_TYPE}.containsIP(string): bool`, containsIPString);
  env.registerFunction(`${CIDR_TYPE}.containsIP(${IP_TYPE}): bool`, (c: CIDRValue, ip: IPValue) => prefixContains(c.prefix, ip.addr));
  env.registerFunction(`${CIDR_TYPE}.containsCIDR(string): bool`, (c: CIDRValue, s: string) => containsCIDR(c, toCIDR(s)));
  env.registerFunction(`${CIDR_TYPE}.containsCIDR(${CIDR_TYPE}): bool`, containsCIDR);
  env.registerFunction(`${CIDR_TYPE}.ip(): ${IP_TYPE}`, (c: CIDRValue) => new IPValue(c.prefix.addr));
  env.registerFunction(`${CIDR_TYPE}.masked(): ${CIDR_TYPE}`, masked);
  env.registerFunction(`${CIDR_TYPE}.prefixLength(): int`, (c: CIDRValue) => BigInt(c.prefix.bits));
  env.registerFunction(`string(${CIDR_TYPE}): string`, (c: CIDRValue) => prefixString(c.prefix));
  env.registerOperator(`${CIDR_TYPE} == ${CIDR_TYPE}`, (a: CIDRValue, b: CIDRValue) => a.prefix.bits === b.prefix.bits && sameAddr(a.prefix.addr, b.prefix.addr));
}
