// Reads and writes the `kubernetes` Endpoints and keeps the EndpointSlice of the same name in step
// with it (upstream: pkg/controlplane/reconcilers/endpointsadapter.go). Like upstream's, it only
// handles what the reconciler writes: one subset, one set of ports, a few addresses, so one
// Endpoints maps to one EndpointSlice. Writes go through the generic store as the API server's own
// (admission and validation included), as upstream's go through its loopback client.
import { isDeepStrictEqual } from 'node:util';
import { isIPv6 } from 'node:net';
import type { Endpoints, EndpointAddress } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { copyJson } from '../../api/json-copy.js';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../api/status.js';
import { systemContext } from '../registry/context.js';
import type { GenericStore } from '../registry/generic-store.js';
import type { ResourceEntry } from '../registry/resource-entry.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';

const namespace = 'default';
export const serviceNameLabel = 'kubernetes.io/service-name';
export const skipMirrorLabel = 'endpointslice.kubernetes.io/skip-mirror';

const sliceObject = (slice: EndpointSlice): KubeObject => slice as unknown as KubeObject;

function isStatus(err: unknown, code: number): boolean {
  return err instanceof StatusError && err.code === code;
}

export class EndpointsAdapter {
  private readonly endpoints: ResourceEntry;
  private readonly slices: ResourceEntry;

  constructor(private readonly generic: GenericStore, registry: ResourceRegistry) {
    const find = (group: string, plural: string) => {
      const entry = registry.find(group, 'v1', plural);
      if (!entry) throw new Error(`endpoint reconciler: ${group || 'core'}/v1 ${plural} is not served`);
      return entry;
    };
    this.endpoints = find('', 'endpoints');
    this.slices = find('discovery.k8s.io', 'endpointslices');
  }

  /** A copy of the Endpoints named `name` in default (the caller may change it), or undefined when there is none. */
  async get(name: string): Promise<Endpoints | undefined> {
    try {
      // The watch cache's object is shared: never changed in place.
      return copyJson((await this.generic.get(this.endpoints, namespace, name)) as Endpoints);
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** Creates the Endpoints (another server's create in between is as good) and its slice. */
  async create(e: Endpoints): Promise<void> {
    try {
      await this.generic.create(this.endpoints, namespace, e as KubeObject, systemContext());
    } catch (err) {
      if (isStatus(err, 409)) return;
      throw err;
    }
    await this.ensureEndpointSlice(e);
  }

  /**
   * Updates the Endpoints and then its slice. `e` carries the resourceVersion it was read at: a
   * write in between is a 409, left to the next pass as upstream leaves it.
   */
  async update(e: Endpoints): Promise<void> {
    const name = e.metadata!.name!;
    await this.generic.update(this.endpoints, namespace, name, '', systemContext(), () => e as KubeObject);
    await this.ensureEndpointSlice(e);
  }

  /** Creates or updates the EndpointSlice named as the Endpoints, writing only when it differs. */
  async ensureEndpointSlice(e: Endpoints): Promise<void> {
    const want = endpointSliceFromEndpoints(e);
    const name = want.metadata!.name!;
    let current: EndpointSlice | undefined;
    try {
      current = (await this.generic.get(this.slices, namespace, name)) as unknown as EndpointSlice;
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
    if (!current) {
      try {
        await this.generic.create(this.slices, namespace, sliceObject(want), systemContext());
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
      return;
    }
    // addressType cannot change: a slice of the other family is replaced.
    if (current.addressType !== want.addressType) {
      await this.generic.delete(this.slices, namespace, name, {}, systemContext());
      await this.generic.create(this.slices, namespace, sliceObject(want), systemContext());
      return;
    }
    if (
      isDeepStrictEqual(current.endpoints ?? [], want.endpoints ?? []) &&
      isDeepStrictEqual(current.ports ?? [], want.ports ?? []) &&
      isDeepStrictEqual(current.metadata?.labels ?? {}, want.metadata!.labels)
    ) {
      return;
    }
    await this.generic.update(this.slices, namespace, name, '', systemContext(), (cur) => ({
      ...cur,
      metadata: { ...cur.metadata, labels: want.metadata!.labels },
      endpoints: want.endpoints,
      ports: want.ports,
    }));
  }
}

/**
 * The slice for an Endpoints of one subset: its ports, and its addresses of the slice's family
 * (IPv6 when every address is, else IPv4) as ready endpoints, its not-ready ones as not ready.
 * Labelled with the service name only: no controller manages this slice.
 */
export function endpointSliceFromEndpoints(e: Endpoints): EndpointSlice {
  const subset = e.subsets?.[0];
  const all = [...(subset?.addresses ?? []), ...(subset?.notReadyAddresses ?? [])];
  const addressType = all.length > 0 && all.every((a) => isIPv6(a.ip)) ? 'IPv6' : 'IPv4';
  const fromAddresses = (addresses: EndpointAddress[] | undefined, ready: boolean): Endpoint[] =>
    (addresses ?? [])
      .filter((a) => isIPv6(a.ip) === (addressType === 'IPv6'))
      .map((a) => ({
        addresses: [a.ip],
        conditions: { ready },
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: e.metadata!.name, namespace, labels: { [serviceNameLabel]: e.metadata!.name! } },
    addressType,
    endpoints: [...fromAddresses(subset?.addresses, true), ...fromAddresses(subset?.notReadyAddresses, false)],
    ...(subset?.ports ? { ports: subset.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) } : {}),
  };
}
