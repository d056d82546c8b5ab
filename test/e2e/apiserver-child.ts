// An API server in a process of its own, for tests that kill it with SIGKILL (no shutdown path
// runs): the same startServer as `k8ts server`, with options bin/k8ts has no flags for (the
// endpoint reconciler's lease duration and interval). Prints "ready <url>" once it serves.
// Usage: node --import tsx apiserver-child.ts '<JSON: dataDir, bind, port, storage, endpointReconciler>'
import { startServer, type StartServerOptions } from '../../src/cli/start-server.js';
import { createLogger } from '../../src/util/log.js';

type ChildOptions = Pick<StartServerOptions, 'dataDir' | 'bind' | 'port' | 'storage' | 'endpointReconciler'>;

const opts = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const log = createLogger('apiserver-child', { level: 'warn' });
const server = await startServer({ ...opts, tlsSans: [], log, controllers: [], scheduler: false });
process.stdout.write(`ready ${server.url}\n`);
