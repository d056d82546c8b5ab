// Helpers for the IPv6 and dual-stack proxy/DNS tests: an in-process API server with a chosen
// service CIDR list, and EndpointSlices of either address type.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from 'kubernetes-types/discovery/v1.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { adminUser } from '../client/transport/in-process-api.js';
import type { EndpointSpec, Slice } from './helpers.js';

export interface DualStackApi {
  client: Client;
  close(): Promise<void>;
}

/** The real API server in-process with `serviceCIDR` (e.g. "10.96.0.0/16,fd00:10:96::/112"). */
export async function startApiWithServiceCidr(serviceCIDR: string): Promise<DualStackApi> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-ipv6-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  const api = new ApiServer(store, undefined, { serviceCIDR });
  await api.start();
  api.advertise = { host: '127.0.0.1', port: 6443 };
  await api.bootstrap();
  const client = Client.inProcess(((req: never, res: never) => api.handle(req, res)) as never, adminUser);
  return {
    client,
    close: async () => {
      await client.close();
      api.cache.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An EndpointSlice of the given address type for `service` (created, or replaced). */
export async function writeSliceOf(client: Client, addressType: 'IPv4' | 'IPv6', service: string, sliceName: string, endpoints: EndpointSpec[], ports: { name: string; port: number; protocol: string }[], namespace = 'default'): Promise<Slice> {
  const slices = client.resource(resources.endpointSlices);
  const body: Slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: sliceName, namespace, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'test.k8ts.io' } },
    addressType,
    endpoints: endpoints.map(
      (e): Endpoint => ({
        addresses: [e.ip],
        conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
        ...(e.nodeName ? { nodeName: e.nodeName } : {}),
        ...(e.hostname ? { hostname: e.hostname } : {}),
      }),
    ),
    ports,
  };
  try {
    const old = await slices.get(sliceName, { namespace });
    return await slices.update({ ...body, metadata: { ...body.metadata, resourceVersion: old.metadata?.resourceVersion } });
  } catch {
    return slices.create(body);
  }
}
