// A TTL-respecting cache of forwarded answers (CoreDNS's cache plugin, simplified): keyed by
// question, kept for the smallest TTL in the response (capped: 3600 s for answers, 1800 s for
// denials, whose TTL is the SOA minimum), served with TTLs reduced by the time spent in the
// cache. Only NOERROR and NXDOMAIN responses are kept. Oldest entries go first when full.
import type { Answer, DecodedPacket, Question } from 'dns-packet';

interface Entry {
  packet: DecodedPacket;
  storedAt: number;
  expiresAt: number;
}

const maxSuccessTtl = 3600;
const maxDenialTtl = 1800;

export const questionKey = (q: Question) => `${q.name.toLowerCase().replace(/\.$/, '')}|${q.type}|${q.class ?? 'IN'}`;

const ttlOf = (a: Answer): number | undefined => ('ttl' in a && typeof a.ttl === 'number' ? a.ttl : undefined);

export class DnsCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Keeps `packet` (a decoded upstream response) for its TTL; responses that should not be cached are ignored. */
  put(q: Question, packet: DecodedPacket): void {
    const rcode = (packet as DecodedPacket & { rcode?: string }).rcode;
    if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return;
    if (packet.flag_tc) return;
    let ttl: number | undefined;
    const denial = rcode === 'NXDOMAIN' || !packet.answers?.length;
    if (denial) {
      const soa = packet.authorities?.find((a) => a.type === 'SOA');
      if (soa && soa.type === 'SOA') ttl = Math.min(soa.ttl ?? 0, soa.data.minimum ?? soa.ttl ?? 0);
      ttl = Math.min(ttl ?? 0, maxDenialTtl);
    } else {
      const ttls = [...(packet.answers ?? []), ...(packet.authorities ?? [])].filter((a) => a.type !== 'OPT').map(ttlOf).filter((t): t is number => t !== undefined);
      ttl = Math.min(...ttls, maxSuccessTtl);
    }
    if (!(ttl > 0)) return;
    const key = questionKey(q);
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    const now = this.now();
    this.entries.set(key, { packet, storedAt: now, expiresAt: now + ttl * 1000 });
  }

  /** The cached response with TTLs lowered by its age, or undefined when absent or expired. */
  get(q: Question): DecodedPacket | undefined {
    const key = questionKey(q);
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.now();
    if (now >= e.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    const age = Math.floor((now - e.storedAt) / 1000);
    const age1 = (list: Answer[] | undefined) => list?.map((a) => (a.type === 'OPT' ? a : ({ ...a, ttl: Math.max(0, (ttlOf(a) ?? 0) - age) } as Answer)));
    return { ...e.packet, answers: age1(e.packet.answers), authorities: age1(e.packet.authorities), additionals: age1(e.packet.additionals) };
  }
}
