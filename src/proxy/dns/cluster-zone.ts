// The cluster domain's records, answered from informer caches as CoreDNS's kubernetes plugin
// does, per the Kubernetes DNS specification (kubernetes/dns docs/specification.md):
//   <svc>.<ns>.svc.<zone>                A/AAAA: the ClusterIPs of that family, or for a headless
//                                        service the ready endpoint IPs of that family (every
//                                        endpoint if publishNotReadyAddresses);
//                                        ExternalName: a CNAME to spec.externalName
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>  SRV for named ports (ClusterIP: one record at the
//                                        service port; headless: one per ready endpoint)
//   <hostname>.<svc>.<ns>.svc.<zone>     A/AAAA for a headless service's endpoint (its hostname,
//                                        or its dashed IP: 10-0-0-1, fd00--1)
//   <a-b-c-d>.<ns>.pod.<zone>            A a.b.c.d (AAAA for a dashed IPv6 address)
//   d.c.b.a.in-addr.arpa, ….ip6.arpa     PTR for ClusterIPs and endpoint IPs of both families
// Names in the zone that do not exist are NXDOMAIN, existing names without records of the asked
// type NOERROR without answers; both carry the zone's SOA in the authority section. Reverse names
// that are not ours return undefined, so the caller forwards them.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Answer, Question } from 'dns-packet';
import type { KubeObject } from '../../api/object.js';
import type { ReadonlyIndexer } from '../../client/cache/index.js';
import { namespaceIndex } from '../../client/cache/indexers.js';
import { sliceServiceKey } from '../endpoint.js';
import { canonicalIP, dashed, normalizeName, reverseIPv4, reverseIPv6, undashIPv4, undashIPv6 } from './names.js';

export type Rcode = 'NOERROR' | 'NXDOMAIN';

const isV6 = (ip: string) => ip.includes(':');

export interface ZoneAnswer {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

type Svc = Service & KubeObject;
type Slice = EndpointSlice & KubeObject;

export const slicesByServiceIndex = 'k8ts.io/by-service';
export const servicesByClusterIPIndex = 'k8ts.io/by-cluster-ip';
export const slicesByAddressIndex = 'k8ts.io/by-address';

export const sliceIndexers = {
  [slicesByServiceIndex]: (s: Slice) => {
    const key = sliceServiceKey(s);
    return key ? [key] : [];
  },
  [slicesByAddressIndex]: (s: Slice) => (s.endpoints ?? []).flatMap((e) => (e.addresses ?? []).map(canonicalIP)),
};

export const serviceIndexers = {
  [servicesByClusterIPIndex]: (s: Svc) => (s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])).filter((ip) => ip !== 'None').map(canonicalIP),
};

interface EndpointRecord {
  ip: string;
  /** The label under the service name: the hostname, else the dashed IP. */
  label: string;
  ports: { name: string; protocol: string; port: number }[];
}

export class ClusterZone {
  readonly domain: string;

  constructor(
    private readonly services: ReadonlyIndexer<Svc>,
    private readonly slices: ReadonlyIndexer<Slice>,
    domain: string,
    /** TTL of every record (CoreDNS's kubernetes plugin default: 5 s). */
    private readonly ttl = 5,
  ) {
    this.domain = normalizeName(domain);
  }

  /** The answer for one question, or undefined when the name is not ours (forward it). */
  answer(q: Question): ZoneAnswer | undefined {
    const name = normalizeName(q.name);
    const ip = reverseIPv4(name) ?? reverseIPv6(name);
    if (ip) return this.reverse(q, ip);
    if (name !== this.domain && !name.endsWith(`.${this.domain}`)) return undefined;
    const labels = name === this.domain ? [] : name.slice(0, -(this.domain.length + 1)).split('.');
    if (labels.length === 0) {
      if (q.type === 'SOA') return this.reply([this.soa()]);
      if (q.type === 'NS') return this.reply([{ name: this.domain, type: 'NS', ttl: this.ttl, data: `ns.dns.${this.domain}` }]);
      return this.noData();
    }
    const kind = labels[labels.length - 1];
    const rest = labels.slice(0, -1);
    if (kind === 'svc') return this.serviceNames(q, rest);
    if (kind === 'pod') return this.podNames(q, rest);
    return this.nxdomain();
  }

  private serviceNames(q: Question, rest: string[]): ZoneAnswer {
    if (rest.length === 0) return this.noData();
    const ns = rest[rest.length - 1];
    if (rest.length === 1) return this.services.byIndex(namespaceIndex, ns).length ? this.noData() : this.nxdomain();
    const svc = this.services.getByKey(`${ns}/${rest[rest.length - 2]}`);
    if (!svc) return this.nxdomain();
    const fqdn = this.serviceFqdn(svc);
    if (rest.length === 2) return this.serviceRecords(q, svc, fqdn);
    if (rest.length === 3) return this.endpointRecords(q, svc, fqdn, rest[0]);
    if (rest.length === 4) return this.srvRecords(q, svc, fqdn, rest[0], rest[1]);
    return this.nxdomain();
  }

  private serviceRecords(q: Question, svc: Svc, fqdn: string): ZoneAnswer {
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') {
      return spec.externalName ? this.reply([{ name: q.name, type: 'CNAME', ttl: this.ttl, data: normalizeName(spec.externalName) }]) : this.noData();
    }
    if (q.type !== 'A' && q.type !== 'AAAA') return this.noData();
    const ips = spec.clusterIP && spec.clusterIP !== 'None' ? (spec.clusterIPs ?? [spec.clusterIP]) : this.endpointsOf(svc).map((e) => e.ip);
    const answers = [...new Set(ips)].filter((ip) => isV6(ip) === (q.type === 'AAAA')).map((ip) => this.a(q.name, ip));
    return answers.length ? this.reply(answers) : this.noData();
  }

  private endpointRecords(q: Question, svc: Svc, fqdn: string, label: string): ZoneAnswer {
    if (svc.spec?.clusterIP !== 'None') return this.nxdomain();
    const matches = this.endpointsOf(svc).filter((e) => e.label === label);
    if (!matches.length) return this.nxdomain();
    if (q.type !== 'A' && q.type !== 'AAAA') return this.noData();
    const answers = [...new Set(matches.map((e) => e.ip))].filter((ip) => isV6(ip) === (q.type === 'AAAA')).map((ip) => this.a(q.name, ip));
    return answers.length ? this.reply(answers) : this.noData();
  }

  private srvRecords(q: Question, svc: Svc, fqdn: string, portLabel: string, protoLabel: string): ZoneAnswer {
    if (!portLabel.startsWith('_') || !protoLabel.startsWith('_')) return this.nxdomain();
    const portName = portLabel.slice(1);
    const protocol = protoLabel.slice(1).toUpperCase();
    const sp = (svc.spec?.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!sp || !portName) return this.nxdomain();
    if (q.type !== 'SRV') return this.noData();
    if (svc.spec?.clusterIP && svc.spec.clusterIP !== 'None') {
      const addresses = [...this.serviceRecords({ name: fqdn, type: 'A' }, svc, fqdn).answers, ...this.serviceRecords({ name: fqdn, type: 'AAAA' }, svc, fqdn).answers];
      return this.reply([{ name: q.name, type: 'SRV', ttl: this.ttl, data: { priority: 0, weight: 100, port: sp.port, target: fqdn } }], addresses);
    }
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    const eps = this.endpointsOf(svc);
    for (const e of eps) {
      const port = e.ports.find((p) => p.name === portName && p.protocol === protocol);
      if (!port) continue;
      const target = `${e.label}.${fqdn}`;
      answers.push({ name: q.name, type: 'SRV', ttl: this.ttl, data: { priority: 0, weight: Math.floor(100 / eps.length) || 1, port: port.port, target } });
      additionals.push(this.a(target, e.ip));
    }
    return answers.length ? this.reply(answers, additionals) : this.noData();
  }

  private podNames(q: Question, rest: string[]): ZoneAnswer {
    if (rest.length < 2) return this.noData();
    if (rest.length > 2) return this.nxdomain();
    const ip = undashIPv4(rest[0]) ?? undashIPv6(rest[0]);
    if (!ip) return this.nxdomain();
    return q.type === (isV6(ip) ? 'AAAA' : 'A') ? this.reply([this.a(q.name, ip)]) : this.noData();
  }

  private reverse(q: Question, ip: string): ZoneAnswer | undefined {
    const names = new Set<string>();
    for (const svc of this.services.byIndex(servicesByClusterIPIndex, ip)) names.add(this.serviceFqdn(svc));
    for (const slice of this.slices.byIndex(slicesByAddressIndex, ip)) {
      const key = sliceServiceKey(slice);
      const svc = key ? this.services.getByKey(key) : undefined;
      if (!svc) continue;
      for (const e of slice.endpoints ?? []) if (e.addresses?.some((a) => canonicalIP(a) === ip)) names.add(`${e.hostname ?? dashed(ip)}.${this.serviceFqdn(svc)}`);
    }
    if (!names.size) return undefined;
    if (q.type !== 'PTR') return { rcode: 'NOERROR', answers: [], authorities: [], additionals: [] };
    return this.reply([...names].map((data) => ({ name: q.name, type: 'PTR', ttl: this.ttl, data })));
  }

  /** The endpoints DNS publishes for a service: ready ones, or all with publishNotReadyAddresses. */
  private endpointsOf(svc: Svc): EndpointRecord[] {
    const key = `${svc.metadata?.namespace}/${svc.metadata?.name}`;
    const all = svc.spec?.publishNotReadyAddresses === true;
    const out: EndpointRecord[] = [];
    for (const slice of this.slices.byIndex(slicesByServiceIndex, key)) {
      if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
      const ports = (slice.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: p.protocol ?? 'TCP', port: p.port ?? 0 }));
      for (const e of slice.endpoints ?? []) {
        if (!all && e.conditions?.ready === false) continue;
        for (const ip of e.addresses ?? []) out.push({ ip, label: e.hostname ?? dashed(ip), ports });
      }
    }
    return out;
  }

  private serviceFqdn(svc: Svc): string {
    return `${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${this.domain}`;
  }

  /** An A or AAAA record, by the address's family. */
  private a(name: string, ip: string): Answer {
    return { name, type: isV6(ip) ? 'AAAA' : 'A', ttl: this.ttl, data: ip };
  }

  soa(): Answer {
    return {
      name: this.domain,
      type: 'SOA',
      ttl: this.ttl,
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial: Math.floor(Date.now() / 1000) >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: this.ttl },
    };
  }

  private reply(answers: Answer[], additionals: Answer[] = []): ZoneAnswer {
    return { rcode: 'NOERROR', answers, authorities: [], additionals };
  }

  private noData(): ZoneAnswer {
    return { rcode: 'NOERROR', answers: [], authorities: [this.soa()], additionals: [] };
  }

  private nxdomain(): ZoneAnswer {
    return { rcode: 'NXDOMAIN', answers: [], authorities: [this.soa()], additionals: [] };
  }
}
