// The in-process API server of test/client/transport/in-process-api.ts, but able to sign service
// account tokens (TokenRequest), which projected volumes need.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../../src/apiserver/server.js';
import { openSqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import { Client } from '../../../src/client/rest/client.js';
import { adminUser } from '../../client/transport/in-process-api.js';

export interface TokenApi {
  api: ApiServer;
  client: Client;
  close(): Promise<void>;
}

export async function startTokenApi(): Promise<TokenApi> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-volumes-api-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const api = new ApiServer(store, undefined, { serviceAccountKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  await api.start();
  api.advertise = { host: '127.0.0.1', port: 6443 };
  await api.bootstrap();
  const client = Client.inProcess(((req: never, res: never) => api.handle(req, res)) as never, adminUser);
  return {
    api,
    client,
    close: async () => {
      await client.close();
      api.cache.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
