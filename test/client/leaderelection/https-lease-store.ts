// A minimal LeaseStore over HTTPS for tests against the real API server (through the test
// cluster's admin request helper), independent of src/client/rest.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { LeaseStore } from '../../../src/client/leaderelection/index.js';
import type { TestCluster } from '../../helpers/cluster.js';

export class HttpStatusError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const base = (ns: string) => `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;

export function httpsLeaseStore(cluster: TestCluster): LeaseStore {
  const call = async (method: string, path: string, body?: Lease, allow404 = false): Promise<Lease | undefined> => {
    const res = await cluster.request(method, path, body ? { body: JSON.stringify(body) } : {});
    if (res.status === 404 && allow404) return undefined;
    if (res.status >= 300) throw new HttpStatusError(res.status, `${method} ${path}: ${res.status} ${res.body}`);
    return res.json<Lease>();
  };
  return {
    get: (ns, name) => call('GET', `${base(ns)}/${name}`, undefined, true),
    create: async (lease) => (await call('POST', base(lease.metadata!.namespace!), lease))!,
    update: async (lease) => (await call('PUT', `${base(lease.metadata!.namespace!)}/${lease.metadata!.name}`, lease))!,
  };
}
