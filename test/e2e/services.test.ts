// Service networking through the real kubectl (issue 6): a cluster as `k8ts up` assembles it (API
// server with controllers and scheduler over HTTPS, node agent running pods as host processes,
// service proxy, cluster DNS), started in this process so each proxy mode gets address ranges and
// an nftables table of its own. Everything done to the cluster is a kubectl command:
// `kubectl create deployment` of two HTTP servers answering with their pod IP, `kubectl expose
// --type=NodePort`, `kubectl patch svc` for ClientIP session affinity, `kubectl exec` for requests
// from inside a pod and `kubectl run` for a client pod in another namespace. Runs in userspace
// mode everywhere and again in nftables (kernel) mode as root with a working nft.
// (up.test.ts covers ClusterIP from the host and `web.default.svc.cluster.local` from a pod of
// the same namespace in userspace mode.)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { getOnce } from '../helpers/http.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/util/log.js';
import { startServer, type RunningServer } from '../../src/cli/start-server.js';
import { startNode, type RunningNode } from '../../src/cli/start-node.js';
import { proxierFactories } from '../../src/proxy/proxy.js';
import { nftablesProxier } from '../../src/proxy/nftables/proxier.js';
import { nftAvailable } from '../../src/proxy/nftables/nft.js';
import { kubectlFor, type Kubectl } from '../helpers/kubectl.js';

const isRoot = process.getuid?.() === 0;
// A table of this file's own, so a `k8ts up` on this host (default table) is never touched.
proxierFactories['nftables-e2e-services'] = (o) => nftablesProxier({ ...o, table: 'k8ts-proxy-e2e-services' });

interface Mode {
  name: string;
  /** proxierFactories key. */
  factory: string;
  /** Ranges of this file alone, so parallel test files never bind or route the same addresses. */
  serviceCidr: string;
  podCidr: string;
  skip: string | false;
}

const modes: Mode[] = [
  { name: 'userspace', factory: 'userspace', serviceCidr: '127.83.0.0/16', podCidr: '127.84.0.0/16', skip: false },
  // Kernel mode as `k8ts up` runs it as root: ClusterIPs outside loopback, routed locally.
  { name: 'nftables', factory: 'nftables-e2e-services', serviceCidr: '10.83.0.0/16', podCidr: '127.85.0.0/16', skip: !isRoot ? 'needs root' : ((await nftAvailable()) ?? false) },
];

// The server answers with its pod IP: kubectl create deployment cannot set a fieldRef env var,
// and without root the pod has no hostname of its own. POD_IP is set by the process runtime.
// As root a container's program is PID 1 of its namespace, which ignores SIGTERM without a
// handler: both programs exit on it, so stopping the pods takes no grace period.
const onTerm = "process.on('SIGTERM', () => process.exit(0));";
const server = `${onTerm} require('http').createServer((q, s) => s.end(process.env.POD_IP)).listen(8080, process.env.POD_IP)`;
const idle = `${onTerm} setInterval(() => {}, 3600e3)`;

/**
 * A script for `kubectl exec … node -e`: GETs `url` on a new connection each time, up to `n`
 * times or until `want` distinct answers came, and prints the answers as JSON.
 */
function inPodScript(url: string, n: number, want: number): string {
  return `const http = require('http');
const one = () => new Promise((ok, fail) => http.get(${JSON.stringify(url)}, { agent: false, timeout: 3000 }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b)); }).on('error', fail).on('timeout', function () { this.destroy(new Error('timeout')); }));
(async () => { const got = []; for (let i = 0; i < ${n} && new Set(got).size < ${want}; i++) got.push(await one()); console.log(JSON.stringify(got)); })().catch((e) => { console.error(e.message); process.exit(1); });`;
}

/** `n` GETs in a row on new connections; undefined when any fails (a listener or rule not there yet). */
async function answers(host: string, port: number, n: number): Promise<string[] | undefined> {
  const out: string[] = [];
  try {
    for (let i = 0; i < n; i++) out.push(await getOnce(host, port, 3000));
  } catch {
    return undefined;
  }
  return out;
}

/**
 * Polls (nothing outside the cluster can be awaited: the proxy applies a change when its own
 * informers see it) until `check` returns a value, every 100 ms for `timeoutMs`.
 */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await check();
    if (got !== undefined) return got;
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const distinct = (xs: string[]) => [...new Set(xs)].sort();

for (const mode of modes) {
  describe(`${mode.name} proxy mode`, { skip: mode.skip }, () => {
    const silent = new Writable({ write: (_c, _e, cb) => cb() });
    const log = createLogger('test', { level: 'silent', destination: silent as never });
    let dataDir: string;
    let cacheDir: string;
    let apiServer: RunningServer | undefined;
    let node: RunningNode | undefined;
    let k: Kubectl;
    /** The lines `k8ts up` would print as each component becomes ready. */
    const announced: string[] = [];
    /** The node's InternalIP, and the IPs of the two web pods. */
    let nodeIP: string;
    let podIPs: string[];
    let clusterIP: string;
    let nodePort: number;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `k8ts-e2e-services-${mode.name}-`));
      cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-e2e-services-kubectl-'));
      apiServer = await startServer({ dataDir, port: 0, bind: '127.0.0.1', storage: 'sqlite', tlsSans: [], log, controllers: ['*'], scheduler: true, serviceCidr: mode.serviceCidr });
      node = await startNode({ server: apiServer, dataDir, log, podCidr: mode.podCidr, kubeletPort: 0, serviceCidr: mode.serviceCidr, proxyMode: mode.factory, agent: true, proxy: true, dns: true, announce: (line) => announced.push(line) });
      k = kubectlFor(apiServer.kubeconfigPath, cacheDir);
    });

    after(async () => {
      // Closing can wait on unref'd timers alone (client-side backoffs); with nothing else left in
      // this process the event loop would empty and node:test would cancel the hook half-way.
      const keepAlive = setInterval(() => {}, 1000);
      try {
        await node?.close();
        await apiServer?.close();
      } finally {
        clearInterval(keepAlive);
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(cacheDir, { recursive: true, force: true });
      }
    });

    test('kubectl create deployment and expose --type=NodePort: the NodePort on the node address reaches both replicas, from the host and from a pod', async () => {
      assert.ok(announced.some((l) => l.startsWith(`service proxy ready (${mode.name} mode, ClusterIPs ${mode.serviceCidr})`)), announced.join('\n'));
      await k.ok(['create', 'deployment', 'web', '--image=node', '--replicas=2', '--port=8080', '--', 'node', '-e', server]);
      assert.match(await k.ok(['expose', 'deployment', 'web', '--type=NodePort', '--port=80', '--target-port=8080']), /^service\/web exposed$/m);
      // A client pod in another namespace, for requests from inside a pod (here and for DNS below).
      await k.ok(['create', 'namespace', 'other']);
      await k.ok(['run', 'client', '-n', 'other', '--image=node', '--restart=Never', '--command', '--', 'node', '-e', idle]);
      await k.ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
      await k.ok(['wait', '-n', 'other', '--for=condition=Ready', 'pod/client', '--timeout=60s']);

      podIPs = (await k.ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].status.podIP}'])).trim().split(' ').sort();
      assert.equal(podIPs.length, 2);
      for (const ip of podIPs) assert.ok(ip.startsWith(mode.podCidr.split('.').slice(0, 2).join('.') + '.'), `pod IP ${ip} in ${mode.podCidr}`);
      nodeIP = (await k.ok(['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'])).trim();
      assert.match(nodeIP, /^\d+\.\d+\.\d+\.\d+$/);
      const [ip, port] = (await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].nodePort}'])).trim().split(' ');
      clusterIP = ip!;
      nodePort = Number(port);
      assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort} in the default range`);
      // kubectl's table shows the type and the port pair.
      assert.match(await k.ok(['get', 'svc', 'web', '--no-headers']), new RegExp(`^web\\s+NodePort\\s+${clusterIP.replace(/\./g, '\\.')}\\s+<none>\\s+80:${nodePort}/TCP\\s`));

      // From the host: new connections to NODE_IP:NODEPORT spread over both replicas.
      const fromHost = await eventually('both replicas answer on the NodePort from the host', async () => {
        const got = await answers(nodeIP, nodePort, 16);
        return got && distinct(got).length === 2 ? got : undefined;
      });
      assert.deepEqual(distinct(fromHost), podIPs);

      // From inside a pod (another namespace; pods share the node's network).
      const fromPod = JSON.parse(await k.ok(['exec', '-n', 'other', 'client', '--', 'node', '-e', inPodScript(`http://${nodeIP}:${nodePort}/`, 30, 2)])) as string[];
      assert.deepEqual(distinct(fromPod), podIPs, `answers from inside a pod: ${fromPod.join(', ')}`);
    });

    test('kubectl patch svc to sessionAffinity ClientIP pins a client to one pod; with affinity off again requests reach both', async () => {
      await k.ok(['patch', 'svc', 'web', '-p', JSON.stringify({ spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } })]);
      assert.equal(await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.sessionAffinity} {.spec.sessionAffinityConfig.clientIP.timeoutSeconds}']), 'ClientIP 60');
      // Once the proxy has the change, every new connection from this host lands on one pod …
      const pinned = await eventually('requests from one client stick to one pod', async () => {
        const got = await answers(clusterIP, 80, 10);
        return got && distinct(got).length === 1 ? got[0] : undefined;
      });
      assert.ok(podIPs.includes(pinned));
      const again = await answers(clusterIP, 80, 10);
      assert.deepEqual(again && distinct(again), [pinned], `every connection stays on ${pinned}`);
      // The NodePort too (the client address differs: the node address, not loopback).
      const viaNodePort = await answers(nodeIP, nodePort, 10);
      assert.equal(viaNodePort && distinct(viaNodePort).length, 1, `one pod answers the NodePort: ${viaNodePort?.join(', ')}`);
      // … and so does every connection from inside a pod.
      const fromPod = JSON.parse(await k.ok(['exec', '-n', 'other', 'client', '--', 'node', '-e', inPodScript(`http://${clusterIP}/`, 10, 2)])) as string[];
      assert.equal(distinct(fromPod).length, 1, `one pod answers a pod's connections: ${fromPod.join(', ')}`);

      // Affinity off: the config goes with it (defaulting), and connections spread again.
      await k.ok(['patch', 'svc', 'web', '-p', JSON.stringify({ spec: { sessionAffinity: 'None' } })]);
      assert.equal(await k.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.sessionAffinity}|{.spec.sessionAffinityConfig}']), 'None|');
      const spread = await eventually('requests reach both pods again', async () => {
        const got = await answers(clusterIP, 80, 16);
        return got && distinct(got).length === 2 ? got : undefined;
      });
      assert.deepEqual(distinct(spread), podIPs);
    });

    test('a pod in another namespace reaches the Service as web.default.svc.cluster.local and web.default through cluster DNS', { skip: !isRoot && 'needs root: a pod gets its own /etc/resolv.conf only in a mount namespace' }, async () => {
      const resolv = await k.ok(['exec', '-n', 'other', 'client', '--', 'cat', '/etc/resolv.conf']);
      assert.match(resolv, /search other\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
      // One exec (a node start each is slow on a loaded machine): the A record of the full name,
      // then a GET through each name (the short one through the resolv.conf search path).
      const script = `const http = require('http');
const get = (u) => new Promise((ok, fail) => http.get(u, { agent: false, timeout: 3000 }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b)); }).on('error', fail));
(async () => { const { address } = await require('dns').promises.lookup('web.default.svc.cluster.local', 4);
console.log(JSON.stringify([address, await get('http://web.default.svc.cluster.local/'), await get('http://web.default/')])); })().catch((e) => { console.error(e.message); process.exit(1); });`;
      const [address, viaFullName, viaShortName] = JSON.parse(await k.ok(['exec', '-n', 'other', 'client', '--', 'node', '-e', script])) as string[];
      assert.equal(address, clusterIP, 'the A record is the ClusterIP');
      assert.ok(podIPs.includes(viaFullName!), `web.default.svc.cluster.local answered ${viaFullName}`);
      assert.ok(podIPs.includes(viaShortName!), `web.default answered ${viaShortName}`);
    });
  });
}
