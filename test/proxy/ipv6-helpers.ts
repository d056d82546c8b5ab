// Helpers for the IPv6 and dual-stack proxy/DNS tests: an in-process API server with a chosen
// service CIDR list (EndpointSlices of either address type: helpers.ts writeSliceOf).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/apiserver/server.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { Client } from '../../src/client/rest/client.js';
import { adminUser } from '../client/transport/in-process-api.js';

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
