// Kubernetes' IP library (k8s.io/apiserver/pkg/cel/library/ip.go, 1.30+): ip(), isIP(),
// ip.isCanonical(), the address classes, family() and string(ip). Addresses with a zone and
// IPv4-mapped IPv6 addresses are refused, as upstream refuses them.
import type { Environment } from '@marcbachmann/cel-js';
import { libraryError } from '../library.js';
import { goQuote } from './go-quote.js';
import { addrString, is4, is4In6, isGlobalUnicast, isLinkLocalMulticast, isLinkLocalUnicast, isLoopback, isUnspecified, parseAddr, sameAddr, type Addr } from './netip.js';
import { defineNamespace, defineType, parses } from './runtime.js';

export const IP_TYPE = 'net.IP';

export class IPValue {
  constructor(readonly addr: Addr) {}
}

/** upstream's parseIPAddr: netip.ParseAddr without zones or IPv4-mapped addresses. */
function parseIP(s: string): Addr {
  let addr: Addr;
  try {
    addr = parseAddr(s);
  } catch (err) {
    throw new Error(`IP Address ${goQuote(s)} parse error during conversion from string: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (addr.zone !== '') throw new Error(`IP address ${goQuote(s)} with zone value is not allowed`);
  if (is4In6(addr)) throw new Error(`IPv4-mapped IPv6 address ${goQuote(s)} is not allowed`);
  return addr;
}

/** The address, or the evaluation error upstream's ip() gives. */
export function toIP(s: string): IPValue {
  try {
    return new IPValue(parseIP(s));
  } catch (err) {
    throw libraryError(err instanceof Error ? err.message : String(err));
  }
}

const isIP = parses(parseIP);

export function registerIP(env: Environment): void {
  defineType(env, IP_TYPE, IPValue);
  defineNamespace(env, 'ip', 'kubernetes.IPFunctions');
  env.registerFunction(`ip(string): ${IP_TYPE}`, toIP);
  env.registerFunction('isIP(string): bool', isIP);
  env.registerFunction('kubernetes.IPFunctions.isCanonical(string): bool', (_: unknown, s: string) => addrString(toIP(s).addr) === s);
  env.registerFunction(`${IP_TYPE}.family(): int`, (ip: IPValue) => (is4(ip.addr) ? 4n : 6n));
  env.registerFunction(`${IP_TYPE}.isUnspecified(): bool`, (ip: IPValue) => isUnspecified(ip.addr));
  env.registerFunction(`${IP_TYPE}.isLoopback(): bool`, (ip: IPValue) => isLoopback(ip.addr));
  env.registerFunction(`${IP_TYPE}.isLinkLocalMulticast(): bool`, (ip: IPValue) => isLinkLocalMulticast(ip.addr));
  env.registerFunction(`${IP_TYPE}.isLinkLocalUnicast(): bool`, (ip: IPValue) => isLinkLocalUnicast(ip.addr));
  env.registerFunction(`${IP_TYPE}.isGlobalUnicast(): bool`, (ip: IPValue) => isGlobalUnicast(ip.addr));
  env.registerFunction(`string(${IP_TYPE}): string`, (ip: IPValue) => addrString(ip.addr));
  env.registerOperator(`${IP_TYPE} == ${IP_TYPE}`, (a: IPValue, b: IPValue) => sameAddr(a.addr, b.addr));
}
