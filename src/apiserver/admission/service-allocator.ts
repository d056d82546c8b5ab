// Allocates Service ClusterIPs from the service CIDR and node ports from 30000–32767, never
// handing out one that is in use. "In use" is derived from the watch cache (every stored
// Service) plus recent reservations not yet visible there, so a create that fails after
// allocation leaks nothing for longer than the reservation window.
import { randomInt } from 'node:crypto';
import type { KubeObject, StoredObject } from '../../api/object.js';
import { invalid } from '../../api/status.js';
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
  healthCheckNodePort?: number;
  externalTrafficPolicy?: string;
}

/** Upstream's NeedsHealthCheck: load balancers send traffic only to nodes whose health check says they have endpoints. */
function needsHealthCheckNodePort(spec: ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class ServiceAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly reservedIPs = new Map<string, number>();
  private readonly reservedPorts = new Map<number, number>();
  private cache: WatchCache | undefined;
  private entry: ResourceEntry | undefined;

  constructor(readonly cidr: string) {
    const [ip, bits] = cidr.split('/');
    const start = ipToInt(ip);
    const prefix = Number(bits);
    if (start === undefined || !(prefix >= 8 && prefix <= 30)) throw new Error(`invalid service CIDR ${cidr}`);
    this.size = 2 ** (32 - prefix);
    this.base = (start & ~(this.size - 1)) >>> 0;
  }

  /** The first address of the range: the `kubernetes` Service's ClusterIP. */
  get firstIP(): string {
    return intToIp(this.base + 1);
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
      for (const ip of spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])) ips.add(ip);
      for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
      if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
    }
    return { ips, ports };
  }

  private inRange(ip: string): boolean {
    const n = ipToInt(ip);
    return n !== undefined && n > this.base && n < this.base + this.size - 1;
  }

  /**
   * Fills in spec.clusterIP(s) and node ports of a Service being created (or updated: values the
   * old object had are kept). `commit` false (dry run) picks values without reserving them.
   */
  allocate(svc: KubeObject, old: KubeObject | undefined, commit: boolean): void {
    const spec = (svc.spec ??= {}) as ServiceSpec;
    const oldSpec = (old?.spec ?? {}) as ServiceSpec;
    const name = svc.metadata?.name ?? '';
    const type = spec.type ?? 'ClusterIP';
    const { ips, ports } = this.inUse();
    if (old) for (const ip of oldSpec.clusterIPs ?? []) ips.delete(ip);
    if (old) for (const p of oldSpec.ports ?? []) if (p.nodePort) ports.delete(p.nodePort);
    if (old && oldSpec.healthCheckNodePort) ports.delete(oldSpec.healthCheckNodePort);

    if (type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else {
      if (!spec.clusterIP && !spec.clusterIPs?.length && oldSpec.clusterIP) {
        spec.clusterIP = oldSpec.clusterIP;
        spec.clusterIPs = oldSpec.clusterIPs;
      }
      const wanted = spec.clusterIP ?? spec.clusterIPs?.[0];
      if (wanted === 'None') {
        spec.clusterIP = 'None';
        spec.clusterIPs = ['None'];
      } else if (wanted) {
        const unchanged = wanted === oldSpec.clusterIP;
        if (!unchanged) {
          if (!this.inRange(wanted)) {
            throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [wanted], detail: `failed to allocate IP ${wanted}: the provided IP (${wanted}) is not in the valid range. The range of valid IPs is ${this.cidr}` }]);
          }
          if (ips.has(wanted)) {
            throw invalid('Service', '', name, [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [wanted], detail: `failed to allocate IP ${wanted}: provided IP is already allocated` }]);
          }
        }
        spec.clusterIP = wanted;
        spec.clusterIPs = [wanted];
        if (commit && !unchanged) this.reservedIPs.set(wanted, Date.now() + reservationMs);
      } else {
        const ip = this.pickIP(ips, name);
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
        if (commit) this.reservedIPs.set(ip, Date.now() + reservationMs);
      }
      spec.ipFamilies ??= ['IPv4'];
      spec.ipFamilyPolicy ??= 'SingleStack';
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
      spec.healthCheckNodePort ??= oldSpec.healthCheckNodePort;
      if (spec.healthCheckNodePort === oldSpec.healthCheckNodePort) return;
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

  private pickIP(used: Set<string>, name: string): string {
    const usable = this.size - 2;
    // Random probing, then a linear scan so a nearly full range still finds its last address.
    for (let i = 0; i < 64; i++) {
      const ip = intToIp(this.base + 2 + randomInt(Math.max(usable - 1, 1)));
      if (!used.has(ip)) return ip;
    }
    for (let n = this.base + 2; n < this.base + this.size - 1; n++) if (!used.has(intToIp(n))) return intToIp(n);
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
    for (const ip of spec.clusterIPs ?? []) this.reservedIPs.delete(ip);
    for (const p of spec.ports ?? []) if (p.nodePort) this.reservedPorts.delete(p.nodePort);
    if (spec.healthCheckNodePort) this.reservedPorts.delete(spec.healthCheckNodePort);
  }
}
