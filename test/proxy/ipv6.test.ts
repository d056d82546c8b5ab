// IPv6 and dual-stack Services through the service proxy, with real forwarding to real servers
// listening on IPv6 addresses. Everything runs in a private network namespace (this file
// re-runs itself under `unshare --net`), so its addresses, local routes and nft tables are its
// own and vanish with it: the nftables proxier (one table per family, `ip` and `ip6`), two
// nftables proxiers with different table names side by side, the iptables proxier (iptables
// and ip6tables), and the userspace proxier listening on IPv6 ClusterIPs. Needs root,
// unshare and IPv6; the nftables cases also nft, the iptables ones iptables and ip6tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ServiceProxy } from '../../src/proxy/proxy.js';
import type { Client } from '../../src/client/rest/client.js';
import type { Backend } from './helpers.js';
import type { DualStackApi } from './ipv6-helpers.js';

const run = promisify(execFile);
const inNamespace = process.env.K8TS_IPV6_NETNS === '1';
const serviceCidr = '10.96.0.0/16,fd00:10:96::/112';
/** Backends' addresses on lo, and the node address NodePorts are served on. */
const v6Backends = ['fd00:1::2', 'fd00:1::3'];
const v4Backend = '127.1.0.2';
const nodeV6 = 'fd00:1::100';

function unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (a private network namespace)';
  if (!existsSync('/usr/bin/unshare') && !existsSync('/bin/unshare')) return 'needs unshare (util-linux)';
  if (!existsSync('/proc/sys/net/ipv6')) return 'IPv6 is not available in this kernel';
  const lo = execFileSync('ip', ['-6', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  return lo.includes('::1') ? undefined : 'IPv6 is disabled on this host (no ::1 on lo)';
}

if (!inNamespace) {
  const skip = unavailable();
  test('the IPv6 proxy tests pass in a private network namespace', { skip, timeout: 120_000 }, async (t) => {
    const env: NodeJS.ProcessEnv = { ...process.env, K8TS_IPV6_NETNS: '1' };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn('unshare', ['--net', '--', process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    for (const line of out.split('\n').filter((l) => /^(ok|not ok|# (pass|fail|skip))/.test(l.trim()))) t.diagnostic(line.trim());
    assert.equal(code, 0, out.slice(-6000));
  });
} else {
  // The proxy and API server are loaded only here, in the namespace (the outer run just spawns).
  const { proxierFactories, startProxy } = await import('../../src/proxy/proxy.js');
  const { nftablesProxier } = await import('../../src/proxy/nftables/proxier.js');
  const { nftAvailable, runNft } = await import('../../src/proxy/nftables/nft.js');
  const { connectResult, createService, nameServer, quietLog, readFrom, udpAsk, udpEchoServer, writeSliceOf } = await import('./helpers.js');
  const { Conntrack } = await import('../../src/proxy/conntrack/conntrack.js');
  const { startApiWithServiceCidr } = await import('./ipv6-helpers.js');
  // Inside the namespace: only lo, brought up, with the backends' IPv6 addresses.
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  for (const a of [...v6Backends, nodeV6]) execFileSync('ip', ['-6', 'addr', 'add', `${a}/128`, 'dev', 'lo']);
  const noNft = await nftAvailable();
  const { iptablesAvailable } = await import('../../src/proxy/iptables/iptables.js');
  const { toolPaths } = await import('../../src/proxy/iptables/family.js');
  const noConntrack = await new Conntrack(undefined, 'ipv6').available();
  const noIptables = (await iptablesAvailable()) ?? (await iptablesAvailable(toolPaths.IPv6.restore, toolPaths.IPv6.save));
  for (const [mode, table] of [['nftables-v6-a', 'k8ts-v6-a'], ['nftables-v6-b', 'k8ts-v6-b']] as const) proxierFactories[mode] = (o) => nftablesProxier({ ...o, table });

  interface Env {
    api: DualStackApi;
    client: Client;
    proxies: ServiceProxy[];
    backends: Backend[];
  }
  const withEnv = async (modes: string[], fn: (env: Env) => Promise<void>, manageLocalRoute = true) => {
    const api = await startApiWithServiceCidr(serviceCidr);
    const env: Env = { api, client: api.client, proxies: [], backends: [] };
    try {
      for (const mode of modes) env.proxies.push(await startProxy({ client: api.client, nodeName: 'node-a', log: quietLog, mode, serviceCidr, nodeAddresses: ['127.0.0.1', nodeV6], manageLocalRoute }));
      await fn(env);
    } finally {
      for (const p of env.proxies) await p.stop();
      for (const b of env.backends) await b.close();
      await api.close();
    }
  };
  const synced = (env: Env, objs: Parameters<ServiceProxy['synced']>[0]) => Promise.all(env.proxies.map((p) => p.synced(objs)));
  // Only ours: iptables-nft (the iptables cases) leaves its empty filter and nat tables behind.
  const tables = async () => (await runNft(['list', 'tables'], '')).split('\n').map((l) => l.trim()).filter((l) => / k8ts-/.test(l)).sort();

  /** A dual-stack Service "web" with one IPv4 endpoint "v4" and two IPv6 endpoints "v6a", "v6b"; an IPv6-only Service "six". */
  async function dualStackWeb(env: Env) {
    env.backends.push(await nameServer('v4', v4Backend), await nameServer('v6a', v6Backends[0]), await nameServer('v6b', v6Backends[1]));
    const [b4, b6a, b6b] = env.backends;
    const web = await createService(env.client, 'web', { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] });
    const six = await createService(env.client, 'six', { ipFamilies: ['IPv6'], type: 'NodePort', ports: [{ port: 80 }] });
    const objs = [
      web,
      six,
      await writeSliceOf(env.client, 'IPv4', 'web', 'web-v4', [{ ip: b4.ip }], [{ name: '', port: b4.port, protocol: 'TCP' }]),
      await writeSliceOf(env.client, 'IPv6', 'web', 'web-v6a', [{ ip: b6a.ip }], [{ name: '', port: b6a.port, protocol: 'TCP' }]),
      await writeSliceOf(env.client, 'IPv6', 'web', 'web-v6b', [{ ip: b6b.ip }], [{ name: '', port: b6b.port, protocol: 'TCP' }]),
      await writeSliceOf(env.client, 'IPv6', 'six', 'six-v6', [{ ip: b6a.ip }], [{ name: '', port: b6a.port, protocol: 'TCP' }]),
    ];
    await synced(env, objs);
    return { web, six };
  }

  async function spread(host: string, port: number, n: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(await readFrom(host, port));
    return seen;
  }

  /** What every kernel mode must do with dualStackWeb: each ClusterIP to its own family's endpoints, the IPv6 NodePort, a refusal without endpoints. */
  async function forwardsDualStack(env: Env) {
    const { web, six } = await dualStackWeb(env);
    const [v4, v6] = web.spec!.clusterIPs!;
    assert.ok(v6.includes(':'), v6);
    assert.deepEqual([...(await spread(v4, 80, 10))], ['v4']);
    // P(one of two endpoints never chosen in 40 tries) is about 2e-12.
    assert.deepEqual([...(await spread(v6, 80, 40))].sort(), ['v6a', 'v6b']);
    assert.equal(await readFrom(six.spec!.clusterIP!, 80), 'v6a');
    assert.equal(await readFrom(nodeV6, six.spec!.ports![0].nodePort!), 'v6a');
    // An IPv6 service port without endpoints is refused at once, as IPv4 ones are.
    const empty = await createService(env.client, 'empty', { ipFamilies: ['IPv6'], ports: [{ port: 81 }] });
    await synced(env, [empty]);
    assert.equal(await connectResult(empty.spec!.clusterIP!, 81), 'ECONNREFUSED');
    return { v4, v6 };
  }

  async function pinsIPv6Client(env: Env) {
    await dualStackWeb(env);
    const sticky = await createService(env.client, 'sticky', { ipFamilies: ['IPv6'], sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
    const [, b6a, b6b] = env.backends;
    await synced(env, [
      sticky,
      await writeSliceOf(env.client, 'IPv6', 'sticky', 'sticky-a', [{ ip: b6a.ip }], [{ name: '', port: b6a.port, protocol: 'TCP' }]),
      await writeSliceOf(env.client, 'IPv6', 'sticky', 'sticky-b', [{ ip: b6b.ip }], [{ name: '', port: b6b.port, protocol: 'TCP' }]),
    ]);
    assert.equal((await spread(sticky.spec!.clusterIP!, 80, 15)).size, 1);
  }

  async function forwardsIPv6Udp(env: Env) {
    const echo = createSocket('udp6');
    echo.on('message', (m, r) => echo.send(`echo:${m.toString()}`, r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, v6Backends[1], r));
    try {
      const dns = await createService(env.client, 'dns', { ipFamilies: ['IPv6'], ports: [{ port: 53, protocol: 'UDP' }] });
      await synced(env, [dns, await writeSliceOf(env.client, 'IPv6', 'dns', 'dns-1', [{ ip: v6Backends[1] }], [{ name: '', port: echo.address().port, protocol: 'UDP' }])]);
      const client = createSocket('udp6');
      const answer = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('udp timeout')), 3000);
        client.once('message', (m) => (clearTimeout(timer), resolve(m.toString())));
        client.send('hi', 53, dns.spec!.clusterIP!);
      });
      client.close();
      assert.equal(answer, 'echo:hi');
    } finally {
      echo.close();
    }
  }

  test('nftables: a dual-stack Service is forwarded on its IPv4 ClusterIP to IPv4 endpoints (table ip) and on its IPv6 ClusterIP to IPv6 endpoints (table ip6)', { skip: noNft }, () =>
    withEnv(['nftables-v6-a'], async (env) => {
      const { v4, v6 } = await forwardsDualStack(env);
      assert.deepEqual(await tables(), ['table ip k8ts-v6-a', 'table ip6 k8ts-v6-a']);
      const ip6 = await runNft(['list', 'table', 'ip6', 'k8ts-v6-a'], '');
      assert.match(ip6, new RegExp(`${v6} \\. tcp \\. 80`));
      assert.doesNotMatch(ip6, new RegExp(v4.replaceAll('.', '\\.')));
    }));

  test('nftables: sessionAffinity ClientIP pins an IPv6 client to one IPv6 endpoint (chain layout in the ip6 table)', { skip: noNft }, () => withEnv(['nftables-v6-a'], pinsIPv6Client));

  test('nftables: UDP to an IPv6 ClusterIP reaches an IPv6 endpoint', { skip: noNft }, () => withEnv(['nftables-v6-a'], forwardsIPv6Udp));

  test('nftables: a UDP client of an IPv6 ClusterIP is moved to the new endpoint once its endpoint is removed (the IPv6 conntrack entry is deleted)', { skip: noNft ?? noConntrack }, () =>
    withEnv(['nftables-v6-a'], async (env) => {
      const old = await udpEchoServer('old', v6Backends[0]);
      const next = await udpEchoServer('new', v6Backends[1]);
      const client = createSocket('udp6');
      try {
        const dns = await createService(env.client, 'dns6', { ipFamilies: ['IPv6'], ports: [{ port: 53, protocol: 'UDP' }] });
        await synced(env, [dns, await writeSliceOf(env.client, 'IPv6', 'dns6', 'dns6-1', [{ ip: old.ip }], [{ name: '', port: old.port, protocol: 'UDP' }])]);
        const ip = dns.spec!.clusterIP!;
        assert.equal(await udpAsk(ip, 53, 'a', client), 'old:a');
        // The old endpoint keeps listening: only the conntrack entry could keep the client there.
        await synced(env, [await writeSliceOf(env.client, 'IPv6', 'dns6', 'dns6-1', [{ ip: next.ip }], [{ name: '', port: next.port, protocol: 'UDP' }])]);
        assert.equal(await udpAsk(ip, 53, 'b', client), 'new:b');
      } finally {
        client.close();
        await old.close();
        await next.close();
      }
    }));

  test('iptables: a dual-stack Service is forwarded by iptables (IPv4) and ip6tables (IPv6) rules, each with its own family only', { skip: noIptables }, () =>
    withEnv(['iptables'], async (env) => {
      const { v4, v6 } = await forwardsDualStack(env);
      const nat6 = (await run('ip6tables-save', ['-t', 'nat'])).stdout;
      assert.match(nat6, new RegExp(`-A KUBE-SERVICES .*-d ${v6}/128 .*--dport 80 -j KUBE-SVC-`));
      assert.match(nat6, /-j DNAT --to-destination \[fd00:1::[23]\]:\d+/);
      assert.doesNotMatch(nat6, new RegExp(v4.replaceAll('.', '\\.')));
      const nat4 = (await run('iptables-save', ['-t', 'nat'])).stdout;
      assert.match(nat4, new RegExp(`-d ${v4.replaceAll('.', '\\.')}/32 .*--dport 80 -j KUBE-SVC-`));
      assert.doesNotMatch(nat4, /fd00:/);
    }));

  test('iptables: sessionAffinity ClientIP pins an IPv6 client to one IPv6 endpoint (ip6tables -m recent)', { skip: noIptables }, () => withEnv(['iptables'], pinsIPv6Client));

  test('iptables: UDP to an IPv6 ClusterIP reaches an IPv6 endpoint', { skip: noIptables }, () => withEnv(['iptables'], forwardsIPv6Udp));

  test('iptables: stopping the proxy removes its chains from both families', { skip: noIptables }, async () => {
    await withEnv(['iptables'], async (env) => void (await forwardsDualStack(env)));
    for (const tool of ['iptables-save', 'ip6tables-save']) assert.doesNotMatch((await run(tool, [])).stdout, /KUBE-/, tool);
  });

  // The local routes are the host's here: the first proxy to stop would remove routes it added.
  test('nftables: two proxies with different table names coexist on one host, and each deletes only its own tables', { skip: noNft }, async () => {
    for (const cidr of serviceCidr.split(',')) execFileSync('ip', [...(cidr.includes(':') ? ['-6'] : []), 'route', 'replace', 'local', cidr, 'dev', 'lo']);
    await withEnv(['nftables-v6-a', 'nftables-v6-b'], async (env) => {
      const { web } = await dualStackWeb(env);
      assert.deepEqual(await tables(), ['table ip k8ts-v6-a', 'table ip k8ts-v6-b', 'table ip6 k8ts-v6-a', 'table ip6 k8ts-v6-b']);
      const [v4, v6] = web.spec!.clusterIPs!;
      assert.equal(await readFrom(v4, 80), 'v4');
      await env.proxies.shift()!.stop();
      assert.deepEqual(await tables(), ['table ip k8ts-v6-b', 'table ip6 k8ts-v6-b']);
      // The other proxy's tables still forward on their own.
      assert.equal(await readFrom(v4, 80), 'v4');
      assert.ok(['v6a', 'v6b'].includes(await readFrom(v6, 80)));
    }, false);
    for (const cidr of serviceCidr.split(',')) execFileSync('ip', [...(cidr.includes(':') ? ['-6'] : []), 'route', 'del', 'local', cidr, 'dev', 'lo']);
  });

  test('userspace: listeners on IPv6 ClusterIPs (routed to lo, with ip_nonlocal_bind, by the proxy) forward to IPv6 endpoints', () =>
    withEnv(['userspace'], async (env) => {
      assert.match(await run('ip', ['-6', 'route', 'show', 'table', 'local', 'fd00:10:96::/112']).then((r) => r.stdout), /fd00:10:96::\/112/);
      assert.equal(execFileSync('cat', ['/proc/sys/net/ipv6/ip_nonlocal_bind'], { encoding: 'utf8' }).trim(), '1');
      const { web, six } = await dualStackWeb(env);
      const [v4, v6] = web.spec!.clusterIPs!;
      assert.ok((await spread(v6, 80, 10)).size >= 1);
      assert.ok(['v4', 'v6a', 'v6b'].includes(await readFrom(v4, 80)));
      assert.equal(await readFrom(six.spec!.clusterIP!, 80), 'v6a');
      assert.equal(await readFrom(nodeV6, six.spec!.ports![0].nodePort!), 'v6a');
    }));
}
