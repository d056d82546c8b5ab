// Change tracking between informer events and a proxier's sync (upstream pkg/proxy
// servicechangetracker.go and endpointschangetracker.go). Informer handlers only record what
// changed; sync() applies the pending changes to the ServicePortMap / EndpointsMap and hands the
// proxier the set of service ports that actually differ, so a proxier updates those and nothing
// else. Both trackers are used from the event loop only; no locking.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { endpointsBySlices, endpointsEqual, sliceServiceKey, type EndpointInfo } from './endpoint.js';
import { serviceKeyOf, servicePortEqual, servicePortsOf, type ServiceKey, type ServicePortInfo, type ServicePortKey } from './service-port.js';

export type ServicePortMap = Map<ServicePortKey, ServicePortInfo>;
export type EndpointsMap = Map<ServicePortKey, EndpointInfo[]>;

/** Records Service changes; the first `previous` and latest `current` of each service are kept. */
export class ServiceChangeTracker {
  private readonly pending = new Map<ServiceKey, { previous: Service | undefined; current: Service | undefined }>();

  /** previous undefined = added; current undefined = deleted. Returns whether anything is pending for it. */
  update(previous: Service | undefined, current: Service | undefined): boolean {
    const svc = current ?? previous;
    if (!svc) return false;
    const key = serviceKeyOf(svc.metadata?.namespace ?? '', svc.metadata?.name ?? '');
    const change = this.pending.get(key);
    if (change) change.current = current;
    else this.pending.set(key, { previous, current });
    return true;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Applies the pending changes to `map`; returns the service ports added, removed or changed. */
  apply(map: ServicePortMap): Set<ServicePortKey> {
    const changed = new Set<ServicePortKey>();
    for (const { previous, current } of this.pending.values()) {
      const before = previous ? servicePortsOf(previous) : new Map<ServicePortKey, ServicePortInfo>();
      const after = current ? servicePortsOf(current) : new Map<ServicePortKey, ServicePortInfo>();
      for (const key of before.keys()) {
        if (!after.has(key) && map.delete(key)) changed.add(key);
      }
      for (const [key, info] of after) {
        const old = map.get(key);
        if (old && servicePortEqual(old, info)) continue;
        map.set(key, info);
        changed.add(key);
      }
    }
    this.pending.clear();
    return changed;
  }
}

/** Keeps every EndpointSlice by service; recomputes a service's endpoints only when one of its slices changed. */
export class EndpointsChangeTracker {
  private readonly slices = new Map<ServiceKey, Map<string, EndpointSlice>>();
  private readonly dirty = new Set<ServiceKey>();
  /** The service-port keys each service has in the EndpointsMap (so apply never scans the whole map). */
  private readonly portKeys = new Map<ServiceKey, ServicePortKey[]>();

  /** A slice added or updated (`removed` false) or deleted. Returns whether it concerns a service. */
  update(slice: EndpointSlice, removed: boolean): boolean {
    const service = sliceServiceKey(slice);
    if (!service) return false;
    const name = slice.metadata?.name ?? '';
    let bySlice = this.slices.get(service);
    if (removed) {
      if (!bySlice?.delete(name)) return false;
      if (bySlice.size === 0) this.slices.delete(service);
    } else {
      if (!bySlice) this.slices.set(service, (bySlice = new Map()));
      bySlice.set(name, slice);
    }
    this.dirty.add(service);
    return true;
  }

  get pendingCount(): number {
    return this.dirty.size;
  }

  /** Applies the pending changes to `map`; returns the service ports whose endpoints differ. */
  apply(map: EndpointsMap): Set<ServicePortKey> {
    const changed = new Set<ServicePortKey>();
    for (const service of this.dirty) {
      const now = endpointsBySlices(this.slices.get(service)?.values() ?? []);
      for (const key of this.portKeys.get(service) ?? []) {
        if (!now.has(key) && map.delete(key)) changed.add(key);
      }
      if (now.size) this.portKeys.set(service, [...now.keys()]);
      else this.portKeys.delete(service);
      for (const [key, eps] of now) {
        if (endpointsEqual(map.get(key), eps)) continue;
        map.set(key, eps);
        changed.add(key);
      }
    }
    this.dirty.clear();
    return changed;
  }
}
