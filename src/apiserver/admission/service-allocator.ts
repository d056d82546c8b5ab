// Allocates Service ClusterIPs from the service CIDRs and node ports from 30000–32767, never
// handing out one that is in use. The service CIDR option may list one IPv4 and one IPv6 range
// ("10.96.0.0/12,fd00:10:96::/108", the first primary): Services then get ipFamilyPolicy,
// ipFamilies and one ClusterIP per family as upstream's service REST gives them (alloc.go:
// patchAllocatedValues, normalizeClusterIPs, initIPFamilyFields, allocation per family, upgrade
// and downgrade between single- and dual-stack on update). "In use" is derived from the watch cache (every stored
// Service) plus recent reservations not yet visible there, so a create that fails after
// allocation leaks nothing for longer than the reservation window.
import { randomInt } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { KubeObject, StoredObject } from '../../api/object.js';
import { invalid, type FieldError } from '../../api/status.js';
import { validateServiceClusterIPsRelatedFields } from '../../api/validation/service.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { WatchCache } from '../watch-cache.js';

const reservationMs = 60_000;
export const nodePortRange = { min: 30000, max: 32767 };

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: { nodePort?: number; port?: number }[];
  selector?: Record<string, string>;
  healthCheckNodePort?: number;
  externalTrafficPolicy?: string;
}

/** Upstream's NeedsHealthCheck: load balancers send traffic only to nodes whose health check says they have endpoints. */
function needsHealthCheckNodePort(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

type Family = 'IPv4' | 'IPv6';

/** An IP as a number and its family; undefined when `ip` is not an IP address. */
export function parseIP(ip: string): { family: Family; n: bigint } | undefined {
  if (isIPv4(ip)) return { family: 'IPv4', n: ip.split('.').reduce((acc, p) => (acc << 8n) + BigInt(Number(p)), 0n) };
  if (!isIPv6(ip)) return undefined;
  let text = ip.toLowerCase();
  // An embedded dotted quad (::ffff:1.2.3.4) is its last two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = parseIP(quad[1])!.n;
    text = `${text.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return { family: 'IPv6', n: all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
}

/** The canonical text of an address (RFC 5952 for IPv6: lower case, longest zero run as "::"). */
export function formatIP(family: Family, n: bigint): string {
  if (family === 'IPv4') return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((n >> s) & 0xffffn));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (best.at < 0) return hex(groups);
  return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.len))}`;
}

/** Addresses are compared in canonical form: fd00::0a and fd00::a are one address. IPv4 text is canonical already (cheap on the hot path). */
const canonicalIP = (ip: string) => {
  if (!ip.includes(':')) return ip;
  const p = parseIP(ip);
  return p ? formatIP(p.family, p.n) : ip;
};
const familyOf = (ip: string): Family | undefined => parseIP(ip)?.family;

/**
 * One service CIDR (upstream ipallocator.Range): IPv4 ranges leave out the network and
 * broadcast addresses; IPv6 ranges the network address, and are capped at 65,536 addresses as
 * upstream's bitmap allocator caps them.
 */
export class IPRange {
  readonly family: Family;
  /** First and last allocatable address. */
  readonly first: bigint;
  readonly last: bigint;

  constructor(readonly cidr: string) {
    const [ip, bits] = cidr.split('/');
    const parsed = parseIP(ip ?? '');
    const prefix = Number(bits);
    const width = parsed?.family === 'IPv6' ? 128 : 32;
    const ok = parsed && /^\d+$/.test(bits ?? '') && (parsed.family === 'IPv4' ? prefix >= 8 && prefix <= 30 : prefix >= 64 && prefix <= 126);
    if (!parsed || !ok) throw new Error(`invalid service CIDR ${cidr}`);
    this.family = parsed.family;
    const size = 1n << BigInt(width - prefix);
    const base = parsed.n & ~(size - 1n);
    this.first = base + 1n;
    this.last = this.family === 'IPv4' ? base + size - 2n : base + (size > 65536n ? 65536n : size) - 1n;
  }

  contains(ip: string): boolean {
    const p = parseIP(ip);
    return !!p && p.family === this.family && p.n >= this.first && p.n <= this.last;
  }

  format(n: bigint): string {
    return formatIP(this.family, n);
  }
}

/** "10.96.0.0/12" or "10.96.0.0/12,fd00:10:96::/108": one or two CIDRs, of different families (upstream --service-cluster-ip-range). */
export function parseServiceCIDRs(text: string): IPRange[] {
  const ranges = text.split(',').map((c) => c.trim()).filter(Boolean).map((c) => new IPRange(c));
  if (ranges.length === 0 || ranges.length > 2) throw new Error(`invalid service CIDR ${text}: must be one CIDR, or two of different IP families`);
  if (ranges.length === 2 && ranges[0].family === ranges[1].family) throw new Error(`invalid service CIDR ${text}: the two CIDRs must be of different IP families`);
  return ranges;
}

const allocatingTypes = new Set(['ClusterIP', 'NodePort', 'LoadBalancer']);
const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === b![i]);
const isHeadlessSpec = (spec: ServiceSpec) => spec.clusterIPs?.[0] === 'None' || spec.clusterIP === 'None';

const hasSelector = (spec: ServiceSpec) => Object.keys(spec.selector ?? {}).length > 0;

/** Upstream isMatchingPreferDualStackClusterIPFields: an unchanged PreferDualStack Service is not re-stacked after a cluster change. */
function isMatchingPreferDualStack(spec: ServiceSpec, oldSpec: ServiceSpec): boolean {
  if (!spec.ipFamilyPolicy || (oldSpec.type ?? 'ClusterIP') !== (spec.type ?? 'ClusterIP') || !allocatingTypes.has(spec.type ?? 'ClusterIP')) return false;
  if (spec.ipFamilyPolicy !== 'PreferDualStack' || (oldSpec.ipFamilyPolicy && oldSpec.ipFamilyPolicy !== 'PreferDualStack')) return false;
  return sameList(oldSpec.clusterIPs, spec.clusterIPs) && sameList(oldSpec.ipFamilies, spec.ipFamilies);
}

/** Upstream patchAllocatedValues: an update that leaves out the allocated IPs keeps them. */
function patchAllocatedValues(spec: ServiceSpec, oldSpec: ServiceSpec): void {
  if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
  if (!spec.clusterIPs?.length && oldSpec.clusterIPs?.length) spec.clusterIPs = [...oldSpec.clusterIPs];
}

/** Upstream normalizeClusterIPs: keeps clusterIP and clusterIPs in step for clients that set only the singular one. */
function normalizeClusterIPs(spec: ServiceSpec, oldSpec: ServiceSpec | undefined): void {
  if (!oldSpec) {
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  if (oldSpec.clusterIPs?.length && !spec.clusterIPs?.length && oldSpec.clusterIP === spec.clusterIP) spec.clusterIPs = oldSpec.clusterIPs;
  if ((oldSpec.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (oldSpec.clusterIP && !spec.clusterIP) {
      if (sameList(oldSpec.clusterIPs, spec.clusterIPs)) delete spec.clusterIPs;
    } else if (sameList(oldSpec.clusterIPs, spec.clusterIPs)) {
      spec.clusterIPs = [spec.clusterIP!];
    }
  }
}

export class ServiceAllocator {
  /** By family; the first is the primary (the default family, and the `kubernetes` Service's). */
  readonly ranges: IPRange[];
  private readonly byFamily = new Map<string, IPRange>();
  private readonly reservedIPs = new Map<string, number>();
  private readonly reservedPorts = new Map<number, number>();
  private cache: WatchCache | undefined;
  private entry: ResourceEntry | undefined;

  /** `cidr`: one CIDR, or an IPv4 and an IPv6 one separated by a comma (the first is primary). */
  constructor(readonly cidr: string) {
    this.ranges = parseServiceCIDRs(cidr);
    for (const r of this.ranges) this.byFamily.set(r.family, r);
  }

  /** The first address of the primary range: the `kubernetes` Service's ClusterIP. */
  get firstIP(): string {
    return this.ranges[0].format(this.ranges[0].first);
  }

  get dualStack(): boolean {
    return this.ranges.length === 2;
  }

  loadFrom(cache: WatchCache, registry: ResourceRegistry): void {
    this.cache = cache;
    this.entry = registry.find('', 'v1', 'services');
  }

  private services(): StoredObject[] {
    if (!this.cache || !this.entry) return [];
    return [...this.cache.resourceFor(this.entry.prefix).objects.values()];
  }

  private inUse(): { ips: Set<string>; ports: Set<number> } {
    const now = Date.now();
    const ips = new Set<string>();
    const ports = new Set<number>();
    for (const [ip, until] of this.reservedIPs) (until < now ? this.reservedIPs.delete(ip) : ips.add(ip));
    for (const [port, until] of this.reservedPorts) (until < now ? this.reservedPorts.delete(port) : ports.add(port));
    for (const svc of this.services()) {
      const spec = (svc.spec ?? {}) as ServiceSpec;
      for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) ips.add(canonicalIP(ip));
      for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
      if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
    }
    return { ips, ports };
  }

  /**
   * Fills in spec.clusterIP(s), ipFamilies, ipFamilyPolicy and node ports of a Service being
   * created (or updated: values the old object had are kept), as upstream's service REST does
   * (patchAllocatedValues, normalizeClusterIPs, initIPFamilyFields, then allocation by family).
   * `commit` false (dry run) picks values without reserving them. Errors name the Service
   * `name`: on a create with generateName, the generated name (upstream's store generates it
   * before BeginCreate allocates, though mutating admission, where this runs, does not see it).
   */
  allocate(svc: KubeObject, old: KubeObject | undefined, commit: boolean, name = svc.metadata?.name ?? ''): void {
    const spec = (svc.spec ??= {}) as ServiceSpec;
    const oldSpec = (old?.spec ?? {}) as ServiceSpec;
    const type = spec.type ?? 'ClusterIP';
    const { ips, ports } = this.inUse();
    if (old) for (const ip of oldSpec.clusterIPs ?? []) ips.delete(canonicalIP(ip));
    if (old) for (const p of oldSpec.ports ?? []) if (p.nodePort) ports.delete(p.nodePort);
    if (old && oldSpec.healthCheckNodePort) ports.delete(oldSpec.healthCheckNodePort);

    if (type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
      // Upstream dropTypeDependentFields: family fields the client only carried over go with the IPs.
      if (old && (oldSpec.type ?? 'ClusterIP') !== 'ExternalName') {
        if (sameList(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
        if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
        if (commit) for (const ip of oldSpec.clusterIPs ?? []) this.reservedIPs.delete(canonicalIP(ip));
      }
    } else {
      const oldAllocates = !!old && allocatingTypes.has(oldSpec.type ?? 'ClusterIP');
      if (old && oldAllocates) patchAllocatedValues(spec, oldSpec);
      normalizeClusterIPs(spec, old ? oldSpec : undefined);
      this.initIPFamilyFields(spec, old ? oldSpec : undefined, name);
      if (!old || !oldAllocates) this.allocClusterIPs(spec, ips, name, commit);
      else this.updateClusterIPs(spec, oldSpec, ips, name, commit);
    }
    const needsNodePorts = type === 'NodePort' || type === 'LoadBalancer';
    (spec.ports ?? []).forEach((p, i) => {
      if (!needsNodePorts) {
        delete p.nodePort;
        return;
      }
      const previous = oldSpec.ports?.find((o) => o.port === p.port)?.nodePort;
      if (!p.nodePort && previous) p.nodePort = previous;
      if (p.nodePort) {
        if (p.nodePort !== previous) {
          if (p.nodePort < nodePortRange.min || p.nodePort > nodePortRange.max) {
            throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, value: p.nodePort, detail: `provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}` }]);
          }
          if (ports.has(p.nodePort)) {
            throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, value: p.nodePort, detail: 'provided port is already allocated' }]);
          }
        }
      } else {
        p.nodePort = this.pickPort(ports, name);
      }
      ports.add(p.nodePort);
      if (commit) this.reservedPorts.set(p.nodePort, Date.now() + reservationMs);
    });
    this.allocateHealthCheckNodePort(spec, oldSpec, old !== undefined, ports, name, commit);
  }

  /**
   * A LoadBalancer Service with externalTrafficPolicy Local gets a health-check node port (the
   * requested one, else a free one); one that stops needing it loses it, as upstream's
   * updateHealthCheckNodePort releases it. Changing it while needed is left to validation.
   */
  private allocateHealthCheckNodePort(spec: ServiceSpec, oldSpec: ServiceSpec, isUpdate: boolean, ports: Set<number>, name: string, commit: boolean): void {
    const neededBefore = isUpdate && needsHealthCheckNodePort(oldSpec);
    if (!needsHealthCheckNodePort(spec)) {
      // Kept only when the client sent the old value back on a transition away: drop it with the need.
      if (neededBefore && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) {
        delete spec.healthCheckNodePort;
        // Free at once: until this update lands, the stored old object still holds the port.
        if (commit && oldSpec.healthCheckNodePort) this.reservedPorts.delete(oldSpec.healthCheckNodePort);
      }
      return;
    }
    if (neededBefore) {
      // Kept, or changed in place: nothing to allocate either way. A change is validation's
      // "field is immutable", whether or not the new port is free (upstream allocates only on a
      // transition to needing one).
      spec.healthCheckNodePort ??= oldSpec.healthCheckNodePort;
      return;
    }
    let wanted = spec.healthCheckNodePort;
    if (wanted) {
      const field = 'spec.healthCheckNodePort';
      if (wanted < nodePortRange.min || wanted > nodePortRange.max) {
        throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field, value: wanted, detail: `failed to allocate requested HealthCheck NodePort ${wanted}: provided port is not in the valid range. The range of valid ports is ${nodePortRange.min}-${nodePortRange.max}` }]);
      }
      if (ports.has(wanted)) throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field, value: wanted, detail: `failed to allocate requested HealthCheck NodePort ${wanted}: provided port is already allocated` }]);
    } else {
      wanted = spec.healthCheckNodePort = this.pickPort(ports, name);
    }
    ports.add(wanted);
    if (commit) this.reservedPorts.set(wanted, Date.now() + reservationMs);
  }

  /**
   * Upstream initIPFamilyFields: defaults ipFamilyPolicy (the old one on update; RequireDualStack
   * for a headless Service without selector; else SingleStack) and ipFamilies (inferred from
   * the cluster IPs given, else the primary family, plus the other one for a dual-stack policy
   * on a dual-stack cluster), and rejects families or policies this cluster cannot serve.
   */
  private initIPFamilyFields(spec: ServiceSpec, oldSpec: ServiceSpec | undefined, name: string): void {
    if (oldSpec && isMatchingPreferDualStack(spec, oldSpec)) return;
    const fail = (errs: FieldError[]) => invalid('Service', '', name, errs);
    if (!spec.ipFamilyPolicy) {
      if (oldSpec?.ipFamilyPolicy) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
      else if (spec.clusterIP === 'None' && !hasSelector(spec)) spec.ipFamilyPolicy = 'RequireDualStack';
      else spec.ipFamilyPolicy = 'SingleStack';
    }
    const pre = validateServiceClusterIPsRelatedFields(spec as Record<string, unknown>);
    if (pre.length) throw fail(pre);
    const errs: FieldError[] = [];
    const policyErr = (detail: string): FieldError => ({ type: 'FieldValueInvalid', field: 'spec.ipFamilyPolicy', value: spec.ipFamilyPolicy, detail });
    if (oldSpec) {
      if (spec.ipFamilyPolicy === 'SingleStack') {
        // Same cluster IPs/families as before with a SingleStack policy: the client means to drop the secondary.
        if (sameList(oldSpec.clusterIPs, spec.clusterIPs) && (spec.clusterIPs?.length ?? 0) > 1) spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
        if (sameList(oldSpec.ipFamilies, spec.ipFamilies) && (spec.ipFamilies?.length ?? 0) > 1) spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
      } else {
        if (spec.clusterIPs?.length && spec.clusterIPs.length < (oldSpec.clusterIPs?.length ?? 0)) errs.push(policyErr("must be 'SingleStack' to release the secondary cluster IP"));
        if (spec.ipFamilies?.length && spec.ipFamilies.length < (oldSpec.ipFamilies?.length ?? 0)) errs.push(policyErr("must be 'SingleStack' to release the secondary IP family"));
      }
    }
    if (spec.ipFamilyPolicy === 'SingleStack') {
      if (spec.clusterIPs?.length === 2) errs.push(policyErr("must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
      if (spec.ipFamilies?.length === 2) errs.push(policyErr("must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
    const families = (spec.ipFamilies ??= []);
    for (const [i, ip] of (spec.clusterIPs ?? []).entries()) {
      if (ip === 'None') break;
      if (i < families.length) continue;
      const fam = familyOf(ip)!;
      if (this.byFamily.has(fam)) families.push(fam);
      else errs.push({ type: 'FieldValueInvalid', field: `spec.clusterIPs[${i}]`, value: spec.clusterIPs, detail: `${fam} is not configured on this cluster` });
    }
    if (errs.length) throw fail(errs);
    const other = (f: string): Family => (f === 'IPv4' ? 'IPv6' : 'IPv4');
    // Headless without selector: any families, even on a single-stack cluster (nothing is allocated).
    if (spec.clusterIP === 'None' && !hasSelector(spec)) {
      if (!families.length) families.push(this.ranges[0].family);
      if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') families.push(other(families[0]));
      return;
    }
    if (spec.ipFamilyPolicy === 'RequireDualStack' && !this.dualStack) errs.push(policyErr('this cluster is not configured for dual-stack services'));
    families.forEach((f, i) => {
      if (!this.byFamily.has(f)) errs.push({ type: 'FieldValueInvalid', field: `spec.ipFamilies[${i}]`, value: f, detail: 'not configured on this cluster' });
    });
    if (errs.length) throw fail(errs);
    if (!families.length) families.push(this.ranges[0].family);
    if (spec.ipFamilyPolicy !== 'SingleStack' && families.length === 1 && this.dualStack) families.push(other(families[0]));
  }

  /** Upstream allocClusterIPs: one address per family of ipFamilies, the given ones checked, the rest picked. */
  private allocClusterIPs(spec: ServiceSpec, used: Set<string>, name: string, commit: boolean): void {
    if (spec.clusterIPs?.[0] === 'None') {
      spec.clusterIP = 'None';
      return;
    }
    const ips = (spec.clusterIPs ??= []);
    (spec.ipFamilies ?? []).forEach((family, i) => {
      ips[i] = this.allocIP(spec, family as Family, ips[i] ?? '', used, name, commit);
    });
    spec.clusterIP = ips[0];
  }

  /** Upstream updateClusterIPs: an upgrade to dual-stack allocates the secondary; a downgrade frees it. */
  private updateClusterIPs(spec: ServiceSpec, oldSpec: ServiceSpec, used: Set<string>, name: string, commit: boolean): void {
    if (isMatchingPreferDualStack(spec, oldSpec) || isHeadlessSpec(oldSpec)) return;
    const before = oldSpec.ipFamilies?.length ?? 0;
    const now = spec.ipFamilies?.length ?? 0;
    if (before === 1 && now === 2) {
      const ips = (spec.clusterIPs ??= []);
      ips[1] = this.allocIP(spec, spec.ipFamilies![1] as Family, ips[1] ?? '', used, name, commit);
    } else if (before === 2 && now === 1 && commit && oldSpec.clusterIPs?.[1]) {
      this.reservedIPs.delete(canonicalIP(oldSpec.clusterIPs[1]));
    }
  }

  private allocIP(spec: ServiceSpec, family: Family, wanted: string, used: Set<string>, name: string, commit: boolean): string {
    const range = this.byFamily.get(family)!;
    const fail = (detail: string) => invalid('Service', '', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: spec.clusterIPs, detail }]);
    let ip = wanted;
    if (ip) {
      if (!range.contains(ip)) throw fail(`failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${range.cidr}`);
      if (used.has(canonicalIP(ip))) throw fail(`failed to allocate IP ${ip}: provided IP is already allocated`);
    } else {
      ip = this.pickIP(range, used, name);
    }
    used.add(canonicalIP(ip));
    if (commit) this.reservedIPs.set(canonicalIP(ip), Date.now() + reservationMs);
    return ip;
  }

  private pickIP(range: IPRange, used: Set<string>, name: string): string {
    // The first address is the `kubernetes` Service's; random picks start after it.
    const start = range.first + 1n;
    const span = Number(range.last - start + 1n);
    // Random probing, then a linear scan so a nearly full range still finds its last address.
    for (let i = 0; i < 64 && span > 0; i++) {
      const ip = range.format(start + BigInt(randomInt(span)));
      if (!used.has(ip)) return ip;
    }
    for (let n = start; n <= range.last; n++) if (!used.has(range.format(n))) return range.format(n);
    throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [], detail: `failed to allocate IP: range is full` }]);
  }

  private pickPort(used: Set<number>, name: string): number {
    const span = nodePortRange.max - nodePortRange.min + 1;
    for (let i = 0; i < 64; i++) {
      const p = nodePortRange.min + randomInt(span);
      if (!used.has(p)) return p;
    }
    for (let p = nodePortRange.min; p <= nodePortRange.max; p++) if (!used.has(p)) return p;
    throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field: 'spec.ports', value: [], detail: 'failed to allocate a nodePort: range is full' }]);
  }

  /** Forgets reservations of a deleted Service so its values can be reused at once. */
  release(entry: ResourceEntry, obj: StoredObject): void {
    if (entry.type.group !== '' || entry.type.plural !== 'services') return;
    const spec = (obj.spec ?? {}) as ServiceSpec;
    for (const ip of spec.clusterIPs ?? []) this.reservedIPs.delete(canonicalIP(ip));
    for (const p of spec.ports ?? []) if (p.nodePort) this.reservedPorts.delete(p.nodePort);
    if (spec.healthCheckNodePort) this.reservedPorts.delete(spec.healthCheckNodePort);
  }
}
