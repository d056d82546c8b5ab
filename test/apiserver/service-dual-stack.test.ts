// Dual-stack Services through the real API server (upstream pkg/registry/core/service/storage's
// alloc.go and the clusterIPs validation): a service CIDR list of one IPv4 and one IPv6 range,
// ipFamilyPolicy SingleStack / PreferDualStack / RequireDualStack, ipFamilies defaulting and
// order, one ClusterIP per family, released on delete and on a type change, upstream's messages.
// Most cases go through the real kubectl against `startServer` with a dual-stack range; the
// IPv6-primary and single-stack clusters use the same ApiServer in-process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../src/api/object.js';
import { startServer, type RunningServer } from '../../src/cli/start-server.js';
import { createLogger } from '../../src/util/log.js';
import { IPRange, formatIP, parseIP, parseServiceCIDRs } from '../../src/apiserver/admission/service-allocator.js';
import type { Client } from '../../src/client/rest/client.js';
import { resources } from '../../src/client/rest/builtin-resources.js';
import { kubectlFor, type Kubectl } from '../helpers/kubectl.js';
import { startInProcessApi, type InProcessApi } from '../client/transport/in-process-api.js';

const v4Range = new IPRange('10.96.0.0/16');
const v6Range = new IPRange('fd00:10:96::/112');
const dualCidr = '10.96.0.0/16,fd00:10:96::/112';

function yaml(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });
}

describe('IP ranges', () => {
  test('IPv6 addresses parse and print in canonical form', () => {
    for (const [text, canonical] of [
      ['fd00:10:96::a', 'fd00:10:96::a'],
      ['FD00:0010:0096:0000:0000:0000:0000:000A', 'fd00:10:96::a'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::1', '::1'],
      ['::', '::'],
      ['::ffff:10.0.0.1', '::ffff:a00:1'],
      ['10.96.0.1', '10.96.0.1'],
    ]) {
      const p = parseIP(text)!;
      assert.equal(formatIP(p.family, p.n), canonical, text);
    }
    assert.equal(parseIP('10.96.0.300'), undefined);
  });

  test('a service CIDR list has one or two ranges of different families', () => {
    assert.deepEqual(parseServiceCIDRs(dualCidr).map((r) => r.family), ['IPv4', 'IPv6']);
    assert.deepEqual(parseServiceCIDRs('fd00::/108, 10.0.0.0/24').map((r) => r.family), ['IPv6', 'IPv4']);
    assert.throws(() => parseServiceCIDRs('10.0.0.0/24,10.1.0.0/24'), /different IP families/);
    assert.throws(() => parseServiceCIDRs('10.0.0.0/24,fd00::/108,fd01::/108'), /one CIDR, or two/);
    assert.throws(() => parseServiceCIDRs('fd00::/40'), /invalid service CIDR/);
  });

  test('an IPv6 range leaves out the network address and is capped at 65,536 addresses', () => {
    const r = new IPRange('fd00::/108');
    assert.equal(r.contains('fd00::'), false);
    assert.equal(r.contains('fd00::1'), true);
    assert.equal(r.contains('fd00::ffff'), true);
    assert.equal(r.contains('fd00::1:0'), false);
    assert.equal(r.contains('10.0.0.1'), false);
  });
});

describe('dual-stack Services through kubectl (service CIDR 10.96.0.0/16,fd00:10:96::/112)', () => {
  let server: RunningServer;
  let kubectl: Kubectl;
  let dataDir: string;
  let cacheDir: string;
  const get = async (name: string, path: string) => kubectl.ok(['get', 'svc', name, '-o', `jsonpath={${path}}`]);
  const clusterIPs = async (name: string) => (await get(name, '.spec.clusterIPs[*]')).split(' ').filter(Boolean);
  const families = async (name: string) => (await get(name, '.spec.ipFamilies[*]')).split(' ').filter(Boolean);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'k8ts-dual-'));
    cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-dual-cache-'));
    const log = createLogger('test', { level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) as never });
    server = await startServer({ dataDir, port: 0, bind: '127.0.0.1', storage: 'sqlite', tlsSans: [], log, controllers: [], scheduler: false, serviceCidr: dualCidr });
    kubectl = kubectlFor(server.kubeconfigPath, cacheDir, { HOME: dataDir, KUBECONFIG: server.kubeconfigPath });
  });
  after(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('the kubernetes Service stays single-stack on the primary family', async () => {
    assert.deepEqual(await clusterIPs('kubernetes'), ['10.96.0.1']);
    assert.deepEqual(await families('kubernetes'), ['IPv4']);
    assert.equal(await get('kubernetes', '.spec.ipFamilyPolicy'), 'SingleStack');
  });

  test('a Service without a policy is SingleStack on the primary family', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('plain', {}) });
    const ips = await clusterIPs('plain');
    assert.equal(ips.length, 1);
    assert.ok(v4Range.contains(ips[0]), ips[0]);
    assert.equal(await get('plain', '.spec.clusterIP'), ips[0]);
    assert.deepEqual(await families('plain'), ['IPv4']);
    assert.equal(await get('plain', '.spec.ipFamilyPolicy'), 'SingleStack');
  });

  test('PreferDualStack and RequireDualStack get one ClusterIP per family, primary family first, clusterIP the first', async () => {
    await kubectl.ok(['apply', '-f', '-'], { stdin: yaml('prefer', { ipFamilyPolicy: 'PreferDualStack' }) });
    await kubectl.ok(['apply', '-f', '-'], { stdin: yaml('require', { ipFamilyPolicy: 'RequireDualStack' }) });
    for (const name of ['prefer', 'require']) {
      const ips = await clusterIPs(name);
      assert.equal(ips.length, 2, name);
      assert.ok(v4Range.contains(ips[0]) && v6Range.contains(ips[1]), ips.join(' '));
      assert.equal(await get(name, '.spec.clusterIP'), ips[0]);
      assert.deepEqual(await families(name), ['IPv4', 'IPv6']);
    }
  });

  test('ipFamilies [IPv6, IPv4] makes IPv6 the Service primary family; [IPv6] alone is single-stack IPv6', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('v6-first', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6', 'IPv4'] }) });
    const ips = await clusterIPs('v6-first');
    assert.ok(v6Range.contains(ips[0]) && v4Range.contains(ips[1]), ips.join(' '));
    assert.equal(await get('v6-first', '.spec.clusterIP'), ips[0]);
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('v6-only', { ipFamilies: ['IPv6'] }) });
    const only = await clusterIPs('v6-only');
    assert.equal(only.length, 1);
    assert.ok(v6Range.contains(only[0]), only[0]);
    assert.equal(await get('v6-only', '.spec.ipFamilyPolicy'), 'SingleStack');
  });

  test('requested ClusterIPs are honoured, their families inferred, and never handed out twice', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('fixed', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.3.3', clusterIPs: ['10.96.3.3', 'fd00:10:96::303'] }) });
    assert.deepEqual(await clusterIPs('fixed'), ['10.96.3.3', 'fd00:10:96::303']);
    assert.deepEqual(await families('fixed'), ['IPv4', 'IPv6']);
    // The same IPv6 address in another spelling is the same address.
    const dup = await kubectl.run(['create', '-f', '-'], { stdin: yaml('dup', { ipFamilies: ['IPv6'], clusterIP: 'fd00:10:96:0::0303', clusterIPs: ['fd00:10:96:0::0303'] }) });
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /spec\.clusterIPs: Invalid value: .*failed to allocate IP fd00:10:96:0::0303: provided IP is already allocated/);
    const outside = await kubectl.run(['create', '-f', '-'], { stdin: yaml('outside', { ipFamilies: ['IPv6'], clusterIP: 'fd00:99::1', clusterIPs: ['fd00:99::1'] }) });
    assert.match(outside.stderr, /the provided IP \(fd00:99::1\) is not in the valid range\. The range of valid IPs is fd00:10:96::\/112/);
  });

  test('upstream messages for policies and families that do not fit', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['single-two', { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] }, /spec\.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified/],
      ['mismatch', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], clusterIP: '10.96.4.4', clusterIPs: ['10.96.4.4', 'fd00:10:96::404'] }, /spec\.clusterIPs\[0\]: Invalid value: "10\.96\.4\.4": expected an IPv6 value as indicated by `ipFamilies\[0\]`/],
      ['same-family', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5', '10.96.5.6'] }, /may specify no more than one IP for each IP family/],
      ['dup-family', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv4'] }, /spec\.ipFamilies\[1\]: Duplicate value: "IPv4"/],
      ['plural-only', { clusterIPs: ['10.96.6.6'] }, /spec\.clusterIPs: Invalid value: \["10\.96\.6\.6"\]: must be empty when `clusterIP` is not specified/],
      ['bad-policy', { ipFamilyPolicy: 'Sometimes' }, /spec\.ipFamilyPolicy: Unsupported value: "Sometimes"/],
    ];
    for (const [name, spec, message] of cases) {
      const r = await kubectl.run(['create', '-f', '-'], { stdin: yaml(name, spec) });
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, message, name);
    }
  });

  test('clusterIPs[0] may not change; a secondary is added by an upgrade and released by a SingleStack downgrade', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('grow', {}) });
    const [primary] = await clusterIPs('grow');
    const changed = await kubectl.run(['patch', 'svc', 'grow', '--type=merge', '-p', JSON.stringify({ spec: { clusterIP: '10.96.7.7', clusterIPs: ['10.96.7.7'] } })]);
    assert.match(changed.stderr, /spec\.clusterIPs\[0\]: Invalid value: \["10\.96\.7\.7"\]: may not change once set/);
    await kubectl.ok(['patch', 'svc', 'grow', '--type=merge', '-p', JSON.stringify({ spec: { ipFamilyPolicy: 'RequireDualStack' } })]);
    const grown = await clusterIPs('grow');
    assert.equal(grown[0], primary);
    assert.ok(v6Range.contains(grown[1]), grown.join(' '));
    assert.deepEqual(await families('grow'), ['IPv4', 'IPv6']);
    // Dropping the secondary needs SingleStack, as upstream says.
    const keep = await kubectl.run(['patch', 'svc', 'grow', '--type=merge', '-p', JSON.stringify({ spec: { clusterIPs: [primary] } })]);
    assert.match(keep.stderr, /spec\.ipFamilyPolicy: Invalid value: "RequireDualStack": must be 'SingleStack' to release the secondary cluster IP/);
    await kubectl.ok(['patch', 'svc', 'grow', '--type=merge', '-p', JSON.stringify({ spec: { ipFamilyPolicy: 'SingleStack' } })]);
    assert.deepEqual(await clusterIPs('grow'), [primary]);
    assert.deepEqual(await families('grow'), ['IPv4']);
    // The released secondary is free again at once.
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('reuse', { ipFamilies: ['IPv6'], clusterIP: grown[1], clusterIPs: [grown[1]] }) });
  });

  test('ClusterIPs of both families are released on delete and on a change to ExternalName', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('gone', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.8.8', clusterIPs: ['10.96.8.8', 'fd00:10:96::808'] }) });
    await kubectl.ok(['delete', 'svc', 'gone']);
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('again', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.8.8', clusterIPs: ['10.96.8.8', 'fd00:10:96::808'] }) });
    await kubectl.ok(['patch', 'svc', 'again', '--type=merge', '-p', JSON.stringify({ spec: { type: 'ExternalName', externalName: 'example.com', clusterIP: null, clusterIPs: null, ipFamilies: null, ipFamilyPolicy: null } })]);
    assert.equal(await get('again', '.spec.clusterIPs'), '');
    assert.equal(await get('again', '.spec.ipFamilyPolicy'), '');
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('third', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.8.8', clusterIPs: ['10.96.8.8', 'fd00:10:96::808'] }) });
    // Back from ExternalName: allocated afresh, by the policy given.
    await kubectl.ok(['patch', 'svc', 'again', '--type=merge', '-p', JSON.stringify({ spec: { type: 'ClusterIP', externalName: null, ipFamilyPolicy: 'PreferDualStack' } })]);
    const back = await clusterIPs('again');
    assert.ok(v4Range.contains(back[0]) && v6Range.contains(back[1]), back.join(' '));
  });

  test('headless Services get families but no addresses; without a selector they default to RequireDualStack', async () => {
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('headless', { clusterIP: 'None', ipFamilyPolicy: 'PreferDualStack' }) });
    assert.deepEqual(await clusterIPs('headless'), ['None']);
    assert.deepEqual(await families('headless'), ['IPv4', 'IPv6']);
    const bare = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'bare', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
    await kubectl.ok(['create', '-f', '-'], { stdin: bare });
    assert.equal(await get('bare', '.spec.ipFamilyPolicy'), 'RequireDualStack');
    assert.deepEqual(await families('bare'), ['IPv4', 'IPv6']);
  });

  test('a dry run shows the families and addresses without reserving them', async () => {
    const out = await kubectl.ok(['create', '-f', '-', '--dry-run=server', '-o', 'jsonpath={.spec.clusterIPs[*]}'], { stdin: yaml('dry', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.9.9', clusterIPs: ['10.96.9.9', 'fd00:10:96::909'] }) });
    assert.equal(out, '10.96.9.9 fd00:10:96::909');
    await kubectl.ok(['create', '-f', '-'], { stdin: yaml('wet', { ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.9.9', clusterIPs: ['10.96.9.9', 'fd00:10:96::909'] }) });
  });
});

describe('single-stack and IPv6-primary clusters', () => {
  const clusters: InProcessApi[] = [];
  async function cluster(serviceCIDR: string): Promise<Client> {
    const api = await startInProcessApi({ server: { serviceCIDR }, serviceAccounts: false, rootCA: false });
    clusters.push(api);
    return api.client();
  }
  const svc = (name: string, spec: Record<string, unknown>) => JSON.parse(yaml(name, spec)) as Service & KubeObject;
  after(async () => {
    for (const c of clusters) await c.close();
  });

  test('on a single-stack cluster RequireDualStack is refused, PreferDualStack gets one address, and another family is not configured', async () => {
    const client = await cluster('10.97.0.0/16');
    const services = client.resource(resources.services);
    await assert.rejects(services.create(svc('req', { ipFamilyPolicy: 'RequireDualStack' }), { namespace: 'default' }), /spec\.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services/);
    await assert.rejects(services.create(svc('six', { ipFamilies: ['IPv6'] }), { namespace: 'default' }), /spec\.ipFamilies\[0\]: Invalid value: "IPv6": not configured on this cluster/);
    await assert.rejects(services.create(svc('six-ip', { clusterIP: 'fd00::5', clusterIPs: ['fd00::5'] }), { namespace: 'default' }), /spec\.clusterIPs\[0\]: Invalid value: \["fd00::5"\]: IPv6 is not configured on this cluster/);
    const prefer = await services.create(svc('prefer', { ipFamilyPolicy: 'PreferDualStack' }), { namespace: 'default' });
    assert.equal(prefer.spec!.clusterIPs!.length, 1);
    assert.deepEqual(prefer.spec!.ipFamilies, ['IPv4']);
    assert.equal(prefer.spec!.ipFamilyPolicy, 'PreferDualStack');
    // A headless Service without selector may name both families even here (nothing is allocated).
    const headless = await services.create({ ...svc('hl', { clusterIP: 'None' }), spec: { clusterIP: 'None', ports: [{ port: 80 }] } }, { namespace: 'default' });
    assert.deepEqual(headless.spec!.ipFamilies, ['IPv4', 'IPv6']);
  });

  test('on an IPv6-primary cluster the kubernetes Service and default Services are IPv6', async () => {
    const client = await cluster('fd00:20::/112,10.98.0.0/16');
    const services = client.resource(resources.services);
    const kube = await services.get('kubernetes', { namespace: 'default' });
    assert.deepEqual(kube.spec!.clusterIPs, ['fd00:20::1']);
    assert.deepEqual(kube.spec!.ipFamilies, ['IPv6']);
    const plain = await services.create(svc('plain', {}), { namespace: 'default' });
    assert.ok(new IPRange('fd00:20::/112').contains(plain.spec!.clusterIP!), plain.spec!.clusterIP);
    const dual = await services.create(svc('dual', { ipFamilyPolicy: 'PreferDualStack' }), { namespace: 'default' });
    assert.deepEqual(dual.spec!.ipFamilies, ['IPv6', 'IPv4']);
  });
});
