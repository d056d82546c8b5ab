// The iptables kernel proxier against the real API server: selectorless Services whose
// EndpointSlices the tests write, pointing at real listeners on 127.x addresses; clients are
// processes on this host, so their packets take the nat OUTPUT hook. iptables chain names are
// global to a network namespace (KUBE-SERVICES is KUBE-SERVICES), so this file re-runs itself
// in a private one (`unshare --net`) and reports each test of that run as its own subtest: no
// rule, route or sysctl of the host's namespace is ever touched. Needs root, iptables-restore
// and unshare; skipped otherwise.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { IptablesProxier } from '../../src/proxy/iptables/proxier.js';
import { iptablesAvailable } from '../../src/proxy/iptables/iptables.js';
import { defaultProxyMode, proxierFactories } from '../../src/proxy/proxy.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { connectFrom, connectResult, createService, slicesFor, spread, nameServer, randomLoopback, readFrom, startEnv, udpAsk, udpEchoServer, writeSlice, type Backend, type Env } from './helpers.js';

const netnsEnv = 'K8TS_IPTABLES_TEST_NETNS';
const inPrivateNetns = process.env[netnsEnv] === '1';

/** Runs `cmd args…` and resolves with stdout (rejects with stderr on failure). */
function run(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 10_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function whyNot(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root';
  const why = await iptablesAvailable();
  if (why) return why;
  return run('unshare', ['--net', 'true']).then(
    () => undefined,
    (err: Error) => `cannot create a network namespace: ${err.message}`,
  );
}

if (!inPrivateNetns) {
  const skip = await whyNot();
  test('the iptables proxier, run in a private network namespace', { skip, timeout: 300_000 }, async (t) => {
    const file = fileURLToPath(import.meta.url);
    // Without NODE_TEST_CONTEXT (set for files the test runner starts) the child is a runner of its own.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn('unshare', ['--net', process.execPath, '--import', 'tsx', '--test-reporter=tap', file], { env: { ...env, [netnsEnv]: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    // Top-level TAP results ("ok 3 - name" / "not ok 3 - name # SKIP why") with the YAML block of a failure.
    const results = [...out.matchAll(/^(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)(.*))?\n((?: {2}.*\n)*)/gm)];
    assert.ok(results.length > 0, `no results from the private-namespace run (exit ${code}):\n${out}\n${err}`);
    for (const [, status, name, directive, reason, details] of results) {
      await t.test(name, { skip: directive === 'SKIP' ? reason.trim() || true : undefined }, () => {
        if (status === 'not ok') throw new Error(details.replace(/^ {2}/gm, '').trim());
      });
    }
    // The child's own diagnostics (timings, what was checked), less the runner's summary.
    for (const [, line] of out.matchAll(/^# (?!Subtest:|tests |suites |pass |fail |cancelled |skipped |todo |duration_ms )(.*)$/gm)) t.diagnostic(line);
    assert.equal(code, 0, `private-namespace run exited with ${code}:\n${err.slice(-2000)}`);
  });
  test('defaultProxyMode picks a kernel mode as root with the tools, else userspace', async () => {
    const mode = await defaultProxyMode();
    if (process.getuid?.() !== 0) assert.equal(mode, 'userspace');
    else assert.ok(['nftables', 'iptables', 'userspace'].includes(mode));
    assert.ok(proxierFactories.iptables, 'iptables is a registered proxy mode');
  });
} else {
  await privateNamespaceTests();
}

async function privateNamespaceTests(): Promise<void> {
  // A fresh namespace has lo down and nothing else: bring lo up and give it a "real" node address
  // (one end of a veth pair — the dummy module may be missing — with a default route, so
  // externalIPs are routable before DNAT).
  const nodeIP = '192.0.2.10';
  await run('ip', ['link', 'set', 'lo', 'up']);
  await run('ip', ['link', 'add', 'k8ts0', 'type', 'veth', 'peer', 'name', 'k8ts1']);
  await run('ip', ['addr', 'add', `${nodeIP}/24`, 'dev', 'k8ts0']);
  await run('ip', ['link', 'set', 'k8ts1', 'up']);
  await run('ip', ['link', 'set', 'k8ts0', 'up']);
  await run('ip', ['route', 'add', 'default', 'dev', 'k8ts0']);

  const iptablesSave = (table: 'nat' | 'filter', counters = false) => run('iptables-save', ['-t', table, ...(counters ? ['-c'] : [])]);

  async function withEnv(_t: TestContext, fn: (env: Env, backends: Backend[], proxier: IptablesProxier) => Promise<void>): Promise<void> {
    const env = await startEnv({ mode: 'iptables', nodeAddresses: [randomLoopback(), '127.0.0.1', nodeIP] });
    const backends: Backend[] = [];
    try {
      assert.equal(env.proxy.proxier.mode, 'iptables');
      await fn(env, backends, env.proxy.proxier as IptablesProxier);
    } finally {
      await env.close();
      for (const b of backends) await b.close();
    }
    // Every test ends with nothing of ours left.
    const left = (await iptablesSave('nat')) + (await iptablesSave('filter'));
    assert.doesNotMatch(left, /KUBE-/, 'stop removed every chain and jump of ours');
  }

  /** Chain name → its rules (without counters), from `iptables-save`. */
  function chainsOf(saved: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of saved.split('\n')) {
      const m = /^(?:\[\d+:\d+\] )?-A (\S+) (.*)$/.exec(line);
      if (m) out.set(m[1], (out.get(m[1]) ?? '') + m[2] + '\n');
    }
    return out;
  }

  test('a ClusterIP reaches both endpoints, chosen at random per connection by KUBE-SVC- statistic rules', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('a', '127.1.0.2'), await nameServer('b', '127.1.0.3'));
      const svc = await createService(env.client, 'web', { ports: [{ port: 80, targetPort: 8080 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'web', backends))]);
      const counts = await spread(svc.spec!.clusterIP!, 80, 60);
      // P(one endpoint gets fewer than 10 of 60 at p=1/2) is about 1e-7.
      assert.deepEqual([...counts.keys()].sort(), ['a', 'b']);
      assert.ok(counts.get('a')! >= 10 && counts.get('b')! >= 10, JSON.stringify([...counts]));
      const nat = await iptablesSave('nat');
      const cip = svc.spec!.clusterIP!.replace(/\./g, '\\.');
      assert.match(nat, new RegExp(`-A KUBE-SERVICES -d ${cip}/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 80 -j KUBE-SVC-[A-Z2-7]{16}`));
      assert.match(nat, /-A KUBE-SVC-[A-Z2-7]{16} -m comment --comment "default\/web -> 127\.1\.0\.2:\d+" -m statistic --mode random --probability 0\.50000000000 -j KUBE-SEP-/);
      assert.match(nat, /-A KUBE-SEP-[A-Z2-7]{16} -p tcp -m comment --comment "default\/web" -m tcp -j DNAT --to-destination 127\.1\.0\.3:\d+/);
      assert.match(nat, /-A KUBE-SEP-[A-Z2-7]{16} -s 127\.1\.0\.2\/32 -m comment --comment "default\/web" -j KUBE-MARK-MASQ/);
      assert.match(nat, /-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
      assert.match(nat, /-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully/);
      // The node-port jumps stay the last rules of KUBE-SERVICES.
      const services = nat.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES '));
      assert.match(services.at(-1)!, /-j KUBE-NODEPORTS$/);
      assert.doesNotMatch(services[0], /KUBE-NODEPORTS/);
    }));

  test('UDP datagrams reach the endpoints through the ClusterIP, and one client socket keeps its endpoint', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await udpEchoServer('u1', '127.1.0.5'), await udpEchoServer('u2', '127.1.0.6'));
      const svc = await createService(env.client, 'dns-like', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'dns-like', backends, 'dns', [], 'UDP'))]);
      const seen = new Set<string>();
      for (let i = 0; i < 40 && seen.size < 2; i++) seen.add((await udpAsk(svc.spec!.clusterIP!, 53, `q${i}`)).split(':')[0]);
      assert.deepEqual([...seen].sort(), ['u1', 'u2']);
      const client = createSocket('udp4');
      try {
        const first = await udpAsk(svc.spec!.clusterIP!, 53, 'one', client);
        assert.equal(await udpAsk(svc.spec!.clusterIP!, 53, 'two', client), `${first.split(':')[0]}:two`);
      } finally {
        client.close();
      }
    }));

  test('a service port without endpoints is rejected by filter KUBE-SERVICES at once', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('named', '127.1.0.4'));
      const svc = await createService(env.client, 'half', { ports: [{ name: 'web', port: 8081, targetPort: 'http' }, { name: 'other', port: 8082, targetPort: 9 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'half', backends, 'web'))]);
      assert.equal(await readFrom(svc.spec!.clusterIP!, 8081), 'named');
      const started = performance.now();
      assert.equal(await connectResult(svc.spec!.clusterIP!, 8082), 'ECONNREFUSED');
      // A reject arrives at once (a drop would take the SYN retry timeout, seconds).
      assert.ok(performance.now() - started < 500);
      const filter = await iptablesSave('filter');
      assert.match(filter, /-A KUBE-SERVICES -d \S+\/32 -p tcp -m comment --comment "default\/half:other has no endpoints" -m tcp --dport 8082 -j REJECT/);
      assert.match(filter, /-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
    }));

  test('a NodePort is reachable on 127.0.0.1 and on the node’s other address, and rejected there once it has no endpoints', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('np', '127.1.0.13'));
      const svc = await createService(env.client, 'np', { type: 'NodePort', ports: [{ port: 80 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'np', backends))]);
      const nodePort = svc.spec!.ports![0].nodePort!;
      assert.equal(await readFrom('127.0.0.1', nodePort), 'np');
      assert.equal(await readFrom(nodeIP, nodePort), 'np');
      assert.equal(await readFrom(svc.spec!.clusterIP!, 80), 'np');
      assert.match(await iptablesSave('nat'), new RegExp(`-A KUBE-NODEPORTS -p tcp -m comment --comment "default/np" -m tcp --dport ${nodePort} -j KUBE-EXT-`));
      const none = await writeSlice(env.client, 'np', 'np-0', [], [{ name: '', port: backends[0].port, protocol: 'TCP' }]);
      await env.proxy.synced(none);
      assert.equal(await connectResult(nodeIP, nodePort), 'ECONNREFUSED');
      assert.match(await iptablesSave('filter'), new RegExp(`-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/np has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport ${nodePort} -j REJECT`));
    }));

  test('externalIPs and load-balancer ingress IPs are served through KUBE-EXT-', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('ext', '127.1.0.14'));
      const externalIP = '198.51.100.7';
      const svc = await createService(env.client, 'ext', { type: 'LoadBalancer', externalIPs: [externalIP], ports: [{ port: 8080 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'ext', backends))]);
      assert.equal(await readFrom(externalIP, 8080), 'ext');
      await env.proxy.loadBalancer!.idle();
      const got = await env.client.resource(resources.services).get('ext', { namespace: 'default' });
      const ingress = got.status?.loadBalancer?.ingress?.[0]?.ip;
      assert.ok(ingress);
      await env.proxy.synced(got);
      assert.equal(await readFrom(ingress, 8080), 'ext');
      const nat = await iptablesSave('nat');
      assert.match(nat, /--comment "default\/ext external IP" -m tcp --dport 8080 -j KUBE-EXT-/);
      assert.match(nat, /--comment "default\/ext loadbalancer IP" -m tcp --dport 8080 -j KUBE-EXT-/);
      assert.match(nat, /-A KUBE-EXT-\S+ -m comment --comment "masquerade traffic for default\/ext external destinations" -j KUBE-MARK-MASQ/);
    }));

  test('loadBalancerSourceRanges: clients in the ranges reach the load-balancer IP through KUBE-FW-, others are dropped by KUBE-PROXY-FIREWALL; the NodePort is not restricted', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('fw', '127.1.0.15'));
      const svc = await createService(env.client, 'fw', { type: 'LoadBalancer', loadBalancerSourceRanges: [' 127.2.0.0/16'], ports: [{ port: 8081 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'fw', backends))]);
      await env.proxy.loadBalancer!.idle();
      const got = await env.client.resource(resources.services).get('fw', { namespace: 'default' });
      const ingress = got.status!.loadBalancer!.ingress![0].ip!;
      await env.proxy.synced(got);
      assert.equal(await readFrom(ingress, 8081, '127.2.0.1'), 'fw');
      assert.equal(await connectFrom(ingress, 8081, '127.3.0.1'), 'no answer');
      assert.equal(await readFrom(ingress, got.spec!.ports![0].nodePort!, '127.3.0.1'), 'fw');
      const nat = await iptablesSave('nat');
      assert.match(nat, /-A KUBE-SERVICES -d \S+ -p tcp -m comment --comment "default\/fw loadbalancer IP" -m tcp --dport 8081 -j (KUBE-FW-[A-Z2-7]{16})/);
      assert.match(nat, /-A KUBE-FW-\S+ -s 127\.2\.0\.0\/16 -m comment --comment "default\/fw loadbalancer IP" -j KUBE-EXT-/);
      assert.match(await iptablesSave('filter'), /-A KUBE-PROXY-FIREWALL -d \S+ -p tcp -m comment --comment "default\/fw traffic not accepted by KUBE-FW-\S+" -m tcp --dport 8081 -j DROP/);
    }));

  test('sessionAffinity ClientIP pins each client address to one endpoint with -m recent', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('a', '127.1.0.7'), await nameServer('b', '127.1.0.8'));
      const svc = await createService(env.client, 'sticky', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ports: [{ port: 80 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'sticky', backends))]);
      const firsts = new Set<string>();
      for (const client of ['127.2.0.1', '127.2.0.2', '127.2.0.3', '127.2.0.4', '127.2.0.5', '127.2.0.6']) {
        const counts = await spread(svc.spec!.clusterIP!, 80, 8, client);
        assert.equal(counts.size, 1, `${client} was spread: ${JSON.stringify([...counts])}`);
        firsts.add([...counts.keys()][0]);
      }
      const nat = await iptablesSave('nat');
      assert.match(nat, /-m recent --rcheck --seconds 600 --reap --name (KUBE-SEP-[A-Z2-7]{16}) --mask 255\.255\.255\.255 --rsource -j \1/);
      assert.match(nat, /-m recent --set --name KUBE-SEP-[A-Z2-7]{16} --mask 255\.255\.255\.255 --rsource -m tcp -j DNAT/);
      t.diagnostic(`6 clients pinned to ${[...firsts].join(',')}`);
    }));

  test('terminating endpoints are used only when no endpoint is ready', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('old', '127.1.0.9'), await nameServer('new', '127.1.0.10'));
      const svc = await createService(env.client, 'rolling', { ports: [{ port: 80 }] });
      let slices = await slicesFor(env, 'rolling', backends, '', [{ ready: false, serving: true, terminating: true }, { ready: false, serving: false }]);
      await env.proxy.synced([svc, ...slices]);
      assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 10)).keys()], ['old']);
      slices = await slicesFor(env, 'rolling', backends, '', [{ ready: false, serving: true, terminating: true }, { ready: true }]);
      await env.proxy.synced(slices);
      assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 10)).keys()], ['new']);
    }));

  test('internalTrafficPolicy Local sends ClusterIP traffic to this node’s endpoints only (KUBE-SVL-), and drops it when there are none', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('here', '127.1.0.16'), await nameServer('there', '127.1.0.17'));
      const svc = await createService(env.client, 'itp', { internalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
      let slices = await slicesFor(env, 'itp', backends, '', [{ nodeName: 'node-a' }, { nodeName: 'node-b' }]);
      await env.proxy.synced([svc, ...slices]);
      assert.deepEqual([...(await spread(svc.spec!.clusterIP!, 80, 10)).keys()], ['here']);
      assert.match(await iptablesSave('nat'), /--comment "default\/itp cluster IP" -m tcp --dport 80 -j KUBE-SVL-/);
      slices = await slicesFor(env, 'itp', backends, '', [{ nodeName: 'node-b' }, { nodeName: 'node-b' }]);
      await env.proxy.synced(slices);
      assert.match(await iptablesSave('filter'), /--comment "default\/itp has no local endpoints" -m tcp --dport 80 -j DROP/);
    }));

  test('a pod reaching itself through its service (hairpin) is masqueraded and answered', (t) =>
    withEnv(t, async (env, backends) => {
      backends.push(await nameServer('self', '127.1.0.15'));
      const svc = await createService(env.client, 'hairpin', { ports: [{ port: 80 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'hairpin', backends))]);
      assert.equal(await readFrom(svc.spec!.clusterIP!, 80, '127.1.0.15'), 'self');
    }));

  test('an incremental sync rewrites only the chains of the changed service port, and deleting a service deletes its chains', (t) =>
    withEnv(t, async (env, backends, proxier) => {
      backends.push(await nameServer('a', '127.1.0.18'), await nameServer('b', '127.1.0.19'), await nameServer('c', '127.1.0.20'));
      const one = await createService(env.client, 'one', { ports: [{ port: 80 }] });
      const two = await createService(env.client, 'two', { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
      await env.proxy.synced([one, two, ...(await slicesFor(env, 'one', backends.slice(0, 2))), ...(await slicesFor(env, 'two', backends.slice(0, 2)))]);
      assert.equal(proxier.lastSync?.full, false, 'the service creations after the first sync are incremental');
      // Traffic through both, so every rule on their paths has a non-zero packet counter; a
      // chain that is rewritten starts again at zero.
      await spread(one.spec!.clusterIP!, 80, 10);
      await spread(two.spec!.clusterIP!, 80, 4, '127.3.0.9');
      const before = await iptablesSave('nat', true);
      const beforeChains = chainsOf(before);
      const oneChains = [...beforeChains.keys()].filter((c) => beforeChains.get(c)!.includes('default/one'));
      assert.ok(oneChains.length >= 3, oneChains.join(' '));
      // "two" loses an endpoint and gains another.
      await env.proxy.synced(await slicesFor(env, 'two', [backends[0], backends[2]]));
      assert.equal(proxier.lastSync?.full, false);
      assert.equal(proxier.lastSync?.servicePorts, 1);
      const after = await iptablesSave('nat', true);
      const afterChains = chainsOf(after);
      const changed = [...new Set([...beforeChains.keys(), ...afterChains.keys()])].filter((c) => beforeChains.get(c) !== afterChains.get(c));
      for (const c of changed) assert.match(`${beforeChains.get(c) ?? ''}${afterChains.get(c) ?? ''}`, /default\/two/, `chain ${c} of another service changed`);
      // "one"'s chains were not rewritten: their rules keep their counters.
      const counted = (saved: string, chain: string) => saved.split('\n').filter((l) => l.includes(` -A ${chain} `));
      for (const c of oneChains) assert.deepEqual(counted(after, c), counted(before, c), `chain ${c} was rewritten`);
      // Of "two": the kept endpoint's chain is untouched, the removed one's deleted, the new one's added.
      const sepOf = (chains: Map<string, string>, ip: string) => [...chains.keys()].find((c) => c.startsWith('KUBE-SEP-') && chains.get(c)!.includes('default/two') && chains.get(c)!.includes(`${ip}:`));
      assert.equal(sepOf(afterChains, '127.1.0.18'), sepOf(beforeChains, '127.1.0.18'));
      assert.ok(!changed.includes(sepOf(afterChains, '127.1.0.18')!));
      assert.equal(sepOf(afterChains, '127.1.0.19'), undefined);
      assert.ok(sepOf(afterChains, '127.1.0.20'));
      assert.ok(!(await iptablesSave('nat')).includes(`:${sepOf(beforeChains, '127.1.0.19')} `), 'the stale endpoint chain is deleted');
      t.diagnostic(`changed chains: ${changed.length}; input: ${proxier.lastSync?.lines} lines, iptables-restore ${proxier.lastSync?.applyMs.toFixed(1)} ms`);
      // Traffic follows.
      assert.deepEqual([...(await spread(one.spec!.clusterIP!, 80, 30)).keys()].sort(), ['a', 'b']);
      const seen = new Set<string>();
      for (const client of ['127.3.0.1', '127.3.0.2', '127.3.0.3', '127.3.0.4', '127.3.0.5', '127.3.0.6', '127.3.0.7', '127.3.0.8']) seen.add(await readFrom(two.spec!.clusterIP!, 80, client));
      assert.ok(!seen.has('b'), [...seen].join());
      // Deleting a service deletes its chains and its KUBE-SERVICES rule, again incrementally.
      const twoChains = [...afterChains.keys()].filter((c) => /^KUBE-(SVC|SVL|EXT|SEP)-/.test(c) && afterChains.get(c)!.includes('default/two'));
      await env.client.resource(resources.services).delete('two', { namespace: 'default' });
      const end = Date.now() + 5000;
      while ((await iptablesSave('nat')).includes('default/two') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      const gone = await iptablesSave('nat');
      assert.doesNotMatch(gone, /default\/two/);
      for (const c of twoChains) assert.ok(!gone.includes(`:${c} `), `${c} deleted`);
      assert.equal(proxier.lastSync?.full, false);
      assert.match(gone, /default\/one cluster IP/);
      assert.equal(await connectResult(two.spec!.clusterIP!, 80), 'ECONNREFUSED');
    }));

  test('a rule deleted behind the proxier’s back makes the next update fail and a full rewrite restore everything', (t) =>
    withEnv(t, async (env, backends, proxier) => {
      backends.push(await nameServer('a', '127.1.0.21'));
      const svc = await createService(env.client, 'tampered', { type: 'NodePort', ports: [{ port: 80 }] });
      await env.proxy.synced([svc, ...(await slicesFor(env, 'tampered', backends))]);
      const rule = (await iptablesSave('nat')).split('\n').find((l) => l.startsWith('-A KUBE-SERVICES ') && l.includes('default/tampered cluster IP'))!;
      await run('iptables-restore', ['--noflush'], `*nat\n${rule.replace(/^-A/, '-D')}\nCOMMIT\n`);
      assert.equal(await connectResult(svc.spec!.clusterIP!, 80), 'ECONNREFUSED');
      // Losing its endpoints makes the proxier delete that rule, which fails.
      await env.proxy.synced(await writeSlice(env.client, 'tampered', 'tampered-0', [], [{ name: '', port: backends[0].port, protocol: 'TCP' }]));
      assert.equal(proxier.lastSync?.full, true);
      await env.proxy.synced(await slicesFor(env, 'tampered', backends));
      assert.equal(proxier.lastSync?.full, false);
      assert.equal(await readFrom(svc.spec!.clusterIP!, 80), 'a');
    }));

  test('traffic from another host (a namespace over a veth pair) reaches NodePorts and ClusterIPs through PREROUTING; externalTrafficPolicy Local keeps it on this node’s endpoints', (t) =>
    withEnv(t, async (env, backends) => {
      // The peer: a namespace of its own held by a sleeping process (gone with it), joined to ours by a second veth pair.
      const [hostIP, peerIP] = ['198.18.0.1', '198.18.0.2'];
      const holder = spawn('unshare', ['--net', 'sleep', '60'], { stdio: 'ignore' });
      try {
        const peer = ['-t', String(holder.pid), '-n'];
        // unshare has made the namespace once `sleep` runs in it (its namespace differs from ours).
        const ours = await run('readlink', ['/proc/self/ns/net']);
        for (let i = 0; (await run('readlink', [`/proc/${holder.pid}/ns/net`]).catch(() => ours)) === ours; i++) {
          if (i > 200) throw new Error('peer namespace not created');
          await new Promise((r) => setTimeout(r, 10));
        }
        await run('ip', ['link', 'add', 'k8ts2', 'type', 'veth', 'peer', 'name', 'k8ts3']);
        await run('ip', ['link', 'set', 'k8ts3', 'netns', String(holder.pid)]);
        await run('ip', ['addr', 'add', `${hostIP}/24`, 'dev', 'k8ts2']);
        await run('ip', ['link', 'set', 'k8ts2', 'up']);
        for (const args of [['addr', 'add', `${peerIP}/24`, 'dev', 'k8ts3'], ['link', 'set', 'k8ts3', 'up'], ['link', 'set', 'lo', 'up'], ['route', 'add', '10.96.0.0/12', 'via', hostIP], ['route', 'add', '192.0.2.0/24', 'via', hostIP]]) await run('nsenter', [...peer, 'ip', ...args]);
        const fromPeer = (ip: string, port: number) => run('nsenter', [...peer, 'timeout', '2', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}; cat <&3`]).then((out) => out.trim(), () => 'failed');

        backends.push(await nameServer('far', '127.1.0.23'), await nameServer('there', '127.1.0.25'));
        const svc = await createService(env.client, 'far', { type: 'NodePort', ports: [{ port: 80 }] });
        await env.proxy.synced([svc, ...(await slicesFor(env, 'far', [backends[0]]))]);
        const nodePort = svc.spec!.ports![0].nodePort!;
        assert.equal(await fromPeer(nodeIP, nodePort), 'far');
        assert.equal(await fromPeer(svc.spec!.clusterIP!, 80), 'far');
        // externalTrafficPolicy Local: from elsewhere only this node's endpoints; from here, any.
        const local = await createService(env.client, 'far-local', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
        await env.proxy.synced([local, ...(await slicesFor(env, 'far-local', backends, '', [{ nodeName: 'node-a' }, { nodeName: 'node-b' }]))]);
        const localPort = local.spec!.ports![0].nodePort!;
        const seen = new Set<string>();
        for (let i = 0; i < 8; i++) seen.add(await fromPeer(nodeIP, localPort));
        assert.deepEqual([...seen], ['far']);
        assert.deepEqual([...(await spread(nodeIP, localPort, 30)).keys()].sort(), ['far', 'there']);
        const nat = await iptablesSave('nat');
        assert.match(nat, /-A KUBE-EXT-\S+ -m comment --comment "route LOCAL traffic for default\/far-local external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-/);
        assert.match(nat, /-A KUBE-EXT-\S+ -j KUBE-SVL-/);
        // No endpoint on this node: traffic from elsewhere is dropped (filter KUBE-EXTERNAL-SERVICES), from here it still works.
        await env.proxy.synced(await slicesFor(env, 'far-local', backends, '', [{ nodeName: 'node-b' }, { nodeName: 'node-b' }]));
        assert.match(await iptablesSave('filter'), new RegExp(`"default/far-local has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport ${localPort} -j DROP`));
        assert.equal(await fromPeer(nodeIP, localPort), 'failed');
        assert.ok(['far', 'there'].includes(await readFrom(nodeIP, localPort)));
      } finally {
        holder.kill();
        await run('ip', ['link', 'del', 'k8ts2']).catch(() => undefined);
      }
    }));

  test('chains and jumps a previous run left are deleted by the first sync, and stop deletes ours', async () => {
    await run('iptables-restore', ['--noflush'], '*nat\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-LEFTOVER0000000 - [0:0]\n:KUBE-SEP-LEFTOVER0000000 - [0:0]\n-A KUBE-SERVICES -d 10.96.9.9/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-LEFTOVER0000000\n-A KUBE-SVC-LEFTOVER0000000 -j KUBE-SEP-LEFTOVER0000000\n-A PREROUTING -m comment --comment "an old jump" -j KUBE-SERVICES\nCOMMIT\n');
    const { quietLog } = await import('./helpers.js');
    const p = await IptablesProxier.create({ nodeName: 'n', nodeAddresses: ['127.0.0.1'], serviceCidr: '10.96.0.0/12', log: quietLog, routeLocalnet: false, manageLocalRoute: false });
    try {
      await p.sync({ services: new Map(), endpoints: new Map() }, new Set());
      const nat = await iptablesSave('nat');
      assert.doesNotMatch(nat, /LEFTOVER|an old jump/);
      assert.match(nat, /-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
      assert.equal(nat.split('\n').filter((l) => l.startsWith('-A PREROUTING')).length, 1);
    } finally {
      await p.stop();
    }
    const left = (await iptablesSave('nat')) + (await iptablesSave('filter'));
    assert.doesNotMatch(left, /KUBE-/);
  });
}
