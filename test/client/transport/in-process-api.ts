// A real API server without a listener, for in-process transport tests: the same ApiServer the
// `k8ts server` command runs, over sqlite in a temp dir. Tests may import the server; src/client
// may not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../../src/apiserver/server.js';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import { Client } from '../../../src/client/rest/client.js';
import type { InProcessUser } from '../../../src/client/types.js';

export const adminUser: InProcessUser = { username: 'system:admin', groups: ['system:masters'] };

export interface InProcessApi {
  readonly api: ApiServer;
  store: SqliteStore;
  /** A client over the in-process transport as `user` (default system:admin). */
  client(user?: InProcessUser): Client;
  /** Watches the API server is serving for one resource (to see that a client's abort reached it). */
  serverWatchers(group: string, version: string, plural: string): number;
  /** Replaces the API server with a fresh one over the same store (its watch cache starts anew). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function newApiServer(store: SqliteStore): Promise<ApiServer> {
  const api = new ApiServer(store, undefined, {});
  await api.start();
  // No listener: advertise the conventional port so the `kubernetes` Endpoints validate.
  api.advertise = { host: '127.0.0.1', port: 6443 };
  await api.bootstrap();
  return api;
}

export async function startInProcessApi(): Promise<InProcessApi> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-client-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  let api = await newApiServer(store);
  const clients: Client[] = [];
  return {
    get api() {
      return api;
    },
    store,
    client: (user = adminUser) => {
      // Late-bound so a client made before restart() reaches the new server.
      const c = Client.inProcess(((req: never, res: never) => api.handle(req, res)) as never, user);
      clients.push(c);
      return c;
    },
    serverWatchers: (group, version, plural) => {
      const entry = api.registry.find(group, version, plural);
      if (!entry) throw new Error(`no resource ${group}/${version}/${plural}`);
      return api.cache.resourceFor(entry.prefix).watcherCount;
    },
    restart: async () => {
      api.cache.stop();
      api = await newApiServer(store);
    },
    close: async () => {
      for (const c of clients) await c.close();
      api.cache.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when `cond` holds, checking after each turn of the event loop; fails after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
