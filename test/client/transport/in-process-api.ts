// A real API server without a listener, for in-process transport tests: the same ApiServer the
// `k8ts server` command runs, over sqlite in a temp dir. Tests may import the server; src/client
// may not. As in a cluster, every namespace gets its "default" ServiceAccount and its
// kube-root-ca.crt ConfigMap from the real controllers (the ServiceAccount admission plugin
// refuses pods whose account does not exist), and TokenRequest is served.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ApiServer } from '../../../src/apiserver/server.js';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sqlite/sqlite-store.js';
import { Client } from '../../../src/client/rest/client.js';
import type { InProcessUser } from '../../../src/client/types.js';
import { runControllerManager } from '../../../src/controllers/manager.js';
import { serviceAccountsController } from '../../../src/controllers/serviceaccount/serviceaccounts-controller.js';
import { newRootCACertPublisher } from '../../../src/controllers/rootcacert/index.js';
import { generateKeyPair } from '../../../src/auth/pki/keys.js';
import { createCa } from '../../../src/auth/pki/issue.js';
import { createLogger } from '../../../src/util/log.js';
import { CONTROLLER_MANAGER_USER } from '../../../src/controllers/context.js';

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

export interface InProcessApiOptions {
  /** Run the serviceaccounts controller (default true). Off for tests that must see a namespace without its default account. */
  serviceAccounts?: boolean;
  /** Run the root CA publisher (kube-root-ca.crt in every namespace; default true). */
  rootCA?: boolean;
  /** API server options beyond the test signing key (a service CIDR list, admission plugins turned off). */
  server?: { serviceCIDR?: string; disableAdmissionPlugins?: string[]; authorizationModes?: string[] };
}

/** One key and CA per test process: signs TokenRequests and is published as ca.crt. */
let credentials: Promise<{ keyPem: string; caPem: string }> | undefined;
function testCredentials(): Promise<{ keyPem: string; caPem: string }> {
  credentials ??= (async () => {
    const keys = await generateKeyPair();
    return { keyPem: keys.privateKeyPem, caPem: await createCa(keys, { commonName: 'k8ts-test-ca' }, 1) };
  })();
  return credentials;
}

const silent = new Writable({ write: (_c, _e, cb) => cb() });

async function newApiServer(store: SqliteStore, server: InProcessApiOptions['server']): Promise<ApiServer> {
  const api = new ApiServer(store, undefined, { ...server, serviceAccountKeyPem: (await testCredentials()).keyPem });
  await api.start();
  // No listener: advertise the conventional port so the `kubernetes` Endpoints validate.
  api.advertise = { host: '127.0.0.1', port: 6443 };
  await api.bootstrap();
  return api;
}

export async function startInProcessApi(opts: InProcessApiOptions = {}): Promise<InProcessApi> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-client-'));
  const store = openSqliteStore({ path: join(dir, 'state.db') });
  let api = await newApiServer(store, opts.server);
  const clients: Client[] = [];
  const handler = ((req: never, res: never) => api.handle(req, res)) as never;
  let stopControllers = async () => {};
  const controllers = [...(opts.serviceAccounts ?? true ? [serviceAccountsController] : []), ...(opts.rootCA ?? true ? [newRootCACertPublisher((await testCredentials()).caPem)] : [])];
  if (controllers.length) {
    const client = Client.inProcess(handler, CONTROLLER_MANAGER_USER);
    const stop = new AbortController();
    const log = createLogger('in-process-api', { level: 'silent', destination: silent as never });
    const running = runControllerManager({ client, log, controllers }, stop.signal);
    stopControllers = async () => {
      stop.abort();
      await running;
      await client.close();
    };
  }
  return {
    get api() {
      return api;
    },
    store,
    client: (user = adminUser) => {
      // Late-bound so a client made before restart() reaches the new server.
      const c = Client.inProcess(handler, user);
      clients.push(c);
      return c;
    },
    serverWatchers: (group, version, plural) => {
      const entry = api.registry.find(group, version, plural);
      if (!entry) throw new Error(`no resource ${group}/${version}/${plural}`);
      return api.cache.resourceFor(entry.prefix).watcherCount;
    },
    restart: async () => {
      api.stop();
      api = await newApiServer(store, opts.server);
    },
    close: async () => {
      await stopControllers();
      for (const c of clients) await c.close();
      api.stop();
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
