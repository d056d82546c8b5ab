// LeaseStore over the REST client: the adapter between leader election and src/client/rest.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { KubeObject } from '../../api/object.js';
import { resources } from '../rest/builtin-resources.js';
import type { Client } from '../rest/client.js';
import { isNotFound } from '../rest/errors.js';
import type { LeaseStore } from './lease-lock.js';

type LeaseObject = Lease & KubeObject;

export function restLeaseStore(client: Client): LeaseStore {
  const leases = client.resource(resources.leases);
  return {
    async get(namespace, name) {
      try {
        return await leases.get(name, { namespace });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease) => leases.create(lease as LeaseObject, { namespace: lease.metadata?.namespace }),
    update: (lease) => leases.update(lease as LeaseObject, { namespace: lease.metadata?.namespace }),
  };
}
