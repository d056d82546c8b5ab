// The volume manager against the real API server (in-process) and real temp directories:
// emptyDir (tmpfs when root), configMap/secret with items, modes and atomic updates, downwardAPI,
// projected with a bound service account token refreshed at 80% of its lifetime, hostPath type
// checks, container mounts, and cleanup.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, Volume } from 'kubernetes-types/core/v1.js';
import { resources } from '../../../src/client/rest/builtin-resources.js';
import { FakeClock } from '../../../src/client/clock.js';
import { VolumeError, VolumeManager } from '../../../src/kubelet/volumes/volume-manager.js';
import { mountPointsUnder } from '../../../src/kubelet/volumes/empty-dir.js';
import { createLogger } from '../../../src/util/log.js';
import { startInProcessApi, type InProcessApi } from '../../client/transport/in-process-api.js';
import type { Client } from '../../../src/client/rest/client.js';

let api: InProcessApi;
let client: Client;
let root: string;
let clock: FakeClock;
let vm: VolumeManager;
const ns = 'voltest';
let podSeq = 0;

before(async () => {
  // No controllers: the test writes the account and the CA ConfigMap itself (the in-process server signs TokenRequests).
  api = await startInProcessApi({ serviceAccounts: false, rootCA: false });
  client = api.client();
  root = mkdtempSync(join(tmpdir(), 'k8ts-volumes-'));
  clock = new FakeClock(Date.now());
  vm = new VolumeManager({ rootDir: root, client: client, nodeName: 'node-1', log: createLogger('volumes', { level: 'silent' }), clock, nodeAllocatable: { cpu: '4', memory: '8Gi' } });
  await client.resource(resources.namespaces).create({ metadata: { name: ns } });
  await client.resource(resources.serviceAccounts).create({ metadata: { name: 'default', namespace: ns } });
  await client.resource(resources.configMaps).create({ metadata: { name: 'kube-root-ca.crt', namespace: ns }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n' } });
});
after(async () => {
  vm?.stop();
  await api?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Creates the pod in the API (tokens are bound to it) and answers it with its uid. */
async function makePod(volumes: Volume[], extra: Partial<Pod['spec']> = {}, labels: Record<string, string> = {}): Promise<Pod> {
  return client.resource(resources.pods).create({
    metadata: { name: `p${++podSeq}`, namespace: ns, labels },
    spec: { containers: [{ name: 'app', image: 'sh', resources: { limits: { cpu: '500m', memory: '128Mi' } } }], volumes, ...extra },
  });
}

const read = (p: string) => readFileSync(p, 'utf8');
const mode = (p: string) => statSync(p).mode & 0o777;

describe('emptyDir', () => {
  test('a directory, world-writable, at the upstream layout; usage is measured against sizeLimit', async () => {
    const pod = await makePod([{ name: 'scratch', emptyDir: { sizeLimit: '1Mi' } }]);
    const paths = await vm.mountPodVolumes(pod);
    const dir = paths.get('scratch')!;
    assert.equal(dir, join(root, 'pods', pod.metadata!.uid!, 'volumes', 'kubernetes.io~empty-dir', 'scratch'));
    assert.equal(mode(dir), 0o777);
    writeFileSync(join(dir, 'blob'), Buffer.alloc(200 * 1024, 1));
    const usage = (await vm.emptyDirUsage(pod)).get('scratch')!;
    assert.ok(usage.usedBytes >= 200 * 1024, `used ${usage.usedBytes}`);
    assert.equal(usage.limitBytes, 1024 * 1024);
    assert.equal(await vm.emptyDirLimitExceeded(pod), undefined);
    writeFileSync(join(dir, 'big'), Buffer.alloc(1024 * 1024, 1));
    assert.equal(await vm.emptyDirLimitExceeded(pod), 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ');
    await vm.cleanupPodVolumes(pod.metadata!.uid!);
    assert.equal(existsSync(dir), false);
  });

  test('medium Memory is a tmpfs of sizeLimit when running as root, unmounted at cleanup', { skip: process.getuid?.() !== 0 && 'needs root' }, async (t) => {
    const pod = await makePod([{ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '2Mi' } }]);
    const dir = (await vm.mountPodVolumes(pod)).get('shm')!;
    const mounts = await mountPointsUnder(dir);
    if (mounts.length === 0) return t.diagnostic('the sandbox forbids mounts: the plain directory fallback was used');
    assert.deepEqual(mounts, [dir]);
    const line = readFileSync('/proc/self/mounts', 'utf8').split('\n').find((l) => l.split(' ')[1] === dir)!;
    assert.match(line, /^tmpfs .* tmpfs .*size=2048k/);
    await vm.mountPodVolumes(pod); // idempotent: no second mount
    assert.equal((await mountPointsUnder(dir)).length, 1);
    await vm.cleanupPodVolumes(pod.metadata!.uid!);
    assert.deepEqual(await mountPointsUnder(dir), []);
    assert.equal(existsSync(dir), false);
  });
});

describe('configMap and secret volumes', () => {
  test('every key as a file through the ..data symlink; an update swaps the whole set atomically', async () => {
    const cms = client.resource(resources.configMaps);
    await cms.create({ metadata: { name: 'web', namespace: ns }, data: { 'index.html': 'v1', 'old.conf': 'x' }, binaryData: { 'logo.bin': Buffer.from([0, 1, 2]).toString('base64') } });
    const pod = await makePod([{ name: 'cfg', configMap: { name: 'web' } }]);
    const dir = (await vm.mountPodVolumes(pod)).get('cfg')!;
    assert.equal(dir, join(root, 'pods', pod.metadata!.uid!, 'volumes', 'kubernetes.io~configmap', 'cfg'));
    assert.equal(read(join(dir, 'index.html')), 'v1');
    assert.deepEqual([...readFileSync(join(dir, 'logo.bin'))], [0, 1, 2]);
    assert.equal(readlinkSync(join(dir, 'index.html')), '..data/index.html');
    const ts1 = readlinkSync(join(dir, '..data'));
    assert.match(ts1, /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\./);
    assert.equal(mode(join(dir, 'index.html')), 0o644);

    await vm.refreshPodVolumes(pod);
    assert.equal(readlinkSync(join(dir, '..data')), ts1, 'an unchanged ConfigMap is not rewritten');

    const cm = await cms.get('web', { namespace: ns });
    await cms.update({ ...cm, data: { 'index.html': 'v2', 'new.conf': 'y' }, binaryData: undefined });
    // The volume manager sees ConfigMaps through a watch (upstream's Watch strategy): the update
    // reaches the volume on a sync after the watch delivered it.
    const deadline = Date.now() + 5000;
    for (;;) {
      await vm.refreshPodVolumes(pod);
      if (read(join(dir, 'index.html')) === 'v2' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ts2 = readlinkSync(join(dir, '..data'));
    assert.notEqual(ts2, ts1);
    assert.equal(read(join(dir, 'index.html')), 'v2');
    assert.equal(read(join(dir, 'new.conf')), 'y');
    assert.equal(existsSync(join(dir, 'old.conf')), false, 'a removed key disappears');
    assert.equal(existsSync(join(dir, 'logo.bin')), false);
    assert.equal(existsSync(join(dir, ts1)), false, 'the old timestamped directory is gone');
  });

  test('items pick keys to paths with their own modes; defaultMode applies to the rest', async () => {
    await client.resource(resources.configMaps).create({ metadata: { name: 'items', namespace: ns }, data: { a: 'A', b: 'B', c: 'C' } });
    const pod = await makePod([{ name: 'cfg', configMap: { name: 'items', defaultMode: 0o600, items: [{ key: 'a', path: 'conf/a.txt', mode: 0o400 }, { key: 'b', path: 'b.txt' }] } }]);
    const dir = (await vm.mountPodVolumes(pod)).get('cfg')!;
    assert.equal(read(join(dir, 'conf/a.txt')), 'A');
    assert.equal(mode(join(dir, 'conf/a.txt')), 0o400);
    assert.equal(mode(join(dir, 'b.txt')), 0o600);
    assert.equal(existsSync(join(dir, 'c')), false);
    assert.equal(readlinkSync(join(dir, 'conf')), '..data/conf');
  });

  test('secret data is decoded, files are 0644 by default, and items name keys', async () => {
    await client.resource(resources.secrets).create({ metadata: { name: 'tls', namespace: ns }, stringData: { 'tls.key': 'KEY', 'tls.crt': 'CRT' } });
    const pod = await makePod([
      { name: 's', secret: { secretName: 'tls' } },
      { name: 'only-key', secret: { secretName: 'tls', items: [{ key: 'tls.key', path: 'private/key.pem' }] } },
    ]);
    const paths = await vm.mountPodVolumes(pod);
    assert.equal(read(join(paths.get('s')!, 'tls.key')), 'KEY');
    assert.equal(mode(join(paths.get('s')!, 'tls.crt')), 0o644);
    assert.match(paths.get('s')!, /kubernetes\.io~secret\/s$/);
    assert.equal(read(join(paths.get('only-key')!, 'private/key.pem')), 'KEY');
  });

  const failures: [string, Volume, string][] = [
    ['a missing configMap', { name: 'v', configMap: { name: 'absent' } }, 'MountVolume.SetUp failed for volume "v" : configmap "absent" not found'],
    ['a missing secret', { name: 'v', secret: { secretName: 'absent' } }, 'MountVolume.SetUp failed for volume "v" : secret "absent" not found'],
    ['a missing configMap key in items', { name: 'v', configMap: { name: 'items', items: [{ key: 'zz', path: 'zz' }] } }, 'MountVolume.SetUp failed for volume "v" : configmap references non-existent config key: zz'],
    ['a missing secret key in items', { name: 'v', secret: { secretName: 'tls', items: [{ key: 'zz', path: 'zz' }] } }, 'MountVolume.SetUp failed for volume "v" : references non-existent secret key: zz'],
  ];
  for (const [what, volume, message] of failures) {
    test(`${what} fails the mount (FailedMount) with upstream's message`, async () => {
      const pod = await makePod([volume]);
      await assert.rejects(vm.mountPodVolumes(pod), (err: unknown) => {
        assert.ok(err instanceof VolumeError);
        assert.equal(err.reason, 'FailedMount');
        assert.equal(err.message, message);
        return true;
      });
    });
  }

  test('optional sources that are missing give an empty volume', async () => {
    const pod = await makePod([
      { name: 'c', configMap: { name: 'absent', optional: true } },
      { name: 's', secret: { secretName: 'absent', optional: true, items: [{ key: 'k', path: 'k' }] } },
    ]);
    const paths = await vm.mountPodVolumes(pod);
    for (const name of ['c', 's']) assert.deepEqual(readdir(paths.get(name)!), []);
  });
});

/** The user-visible names of a volume directory (without ..data and the timestamped dirs). */
const readdir = (dir: string) => readdirSync(dir).filter((n) => !n.startsWith('..'));

describe('downwardAPI volume', () => {
  test('labels, annotations, names and resources as files, refreshed when labels change', async () => {
    const pod = await makePod(
      [
        {
          name: 'info',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'tier', fieldRef: { fieldPath: "metadata.labels['tier']" } },
              { path: 'cpu_limit_m', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
              { path: 'mem_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
              { path: 'eph_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.ephemeral-storage' } },
            ],
          },
        },
      ],
      {},
      { tier: 'web', app: 'shop' },
    );
    const dir = (await vm.mountPodVolumes(pod)).get('info')!;
    assert.equal(read(join(dir, 'labels')), 'app="shop"\ntier="web"');
    assert.equal(read(join(dir, 'name')), pod.metadata!.name);
    assert.equal(read(join(dir, 'tier')), 'web');
    assert.equal(read(join(dir, 'cpu_limit_m')), '500');
    assert.equal(read(join(dir, 'mem_limit')), '128');
    assert.equal(read(join(dir, 'eph_limit')), '0', 'no node allocatable for ephemeral-storage given');

    const updated = { ...pod, metadata: { ...pod.metadata, labels: { tier: 'api', app: 'shop' } } };
    await vm.refreshPodVolumes(updated);
    assert.equal(read(join(dir, 'tier')), 'api');
    assert.equal(read(join(dir, 'labels')), 'app="shop"\ntier="api"');
  });
});

describe('projected volume', () => {
  const kubeApiAccess: Volume = {
    name: 'kube-api-access-abcde',
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };

  test('kube-api-access: a token bound to the pod, ca.crt and the namespace; the token is refreshed at 80% of its lifetime', async () => {
    const pod = await makePod([kubeApiAccess]);
    const dir = (await vm.mountPodVolumes(pod)).get('kube-api-access-abcde')!;
    assert.match(dir, /kubernetes\.io~projected\/kube-api-access-abcde$/);
    assert.equal(read(join(dir, 'namespace')), ns);
    assert.match(read(join(dir, 'ca.crt')), /BEGIN CERTIFICATE/);
    const token = read(join(dir, 'token'));
    const verified = await api.api.tokens!.verify(token);
    assert.equal(verified?.serviceAccountName, 'default');
    assert.equal(verified?.namespace, ns);
    assert.deepEqual(verified?.boundObject, { kind: 'Pod', name: pod.metadata!.name, uid: pod.metadata!.uid });
    assert.ok(lstatSync(join(dir, 'token')).isSymbolicLink());

    clock.step(2800 * 1000); // 78% of 3607 s: still fresh
    await vm.refreshPodVolumes(pod);
    assert.equal(read(join(dir, 'token')), token);
    clock.step(100 * 1000); // 80.4%
    await vm.refreshPodVolumes(pod);
    const renewed = read(join(dir, 'token'));
    assert.notEqual(renewed, token);
    assert.ok(await api.api.tokens!.verify(renewed));
  });

  test('an audience and a lifetime of the projection go into the TokenRequest', async () => {
    const pod = await makePod([{ name: 'vault', projected: { sources: [{ serviceAccountToken: { audience: 'vault', expirationSeconds: 600, path: 'vault-token' } }] } }]);
    const dir = (await vm.mountPodVolumes(pod)).get('vault')!;
    const token = read(join(dir, 'vault-token'));
    assert.equal(await api.api.tokens!.verify(token, ['other']), undefined);
    const v = await api.api.tokens!.verify(token, ['vault']);
    assert.deepEqual(v?.audiences, ['vault']);
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number; iat: number };
    assert.equal(claims.exp - claims.iat, 600);
  });

  test('errors of several sources are reported together', async () => {
    const pod = await makePod([{ name: 'mix', projected: { sources: [{ configMap: { name: 'nope1' } }, { secret: { name: 'nope2' } }, { secret: { name: 'nope3', optional: true } }] } }]);
    await assert.rejects(vm.mountPodVolumes(pod), { message: 'MountVolume.SetUp failed for volume "mix" : [configmap "nope1" not found, secret "nope2" not found]' });
  });

  test('a token for a service account that does not exist fails the mount', async () => {
    // Admission refuses a pod whose account does not exist: the account goes away after the pod is made.
    const accounts = client.resource(resources.serviceAccounts, ns);
    await accounts.create({ metadata: { name: 'ghost' } });
    const pod = await makePod([kubeApiAccess], { serviceAccountName: 'ghost' });
    await accounts.delete('ghost');
    await assert.rejects(vm.mountPodVolumes(pod), (err: Error) => {
      assert.match(err.message, /^MountVolume\.SetUp failed for volume "kube-api-access-abcde" : failed to fetch token: serviceaccounts "ghost" not found$/);
      return true;
    });
  });
});

describe('hostPath volume', () => {
  test('the host path itself; OrCreate types create what is missing; typed checks fail as upstream', async () => {
    const base = mkdtempSync(join(tmpdir(), 'k8ts-hostpath-'));
    try {
      const sock = join(base, 'agent.sock');
      const server = createServer();
      await new Promise<void>((r) => server.listen(sock, r));
      writeFileSync(join(base, 'file'), 'x');
      const pod = await makePod([
        { name: 'd', hostPath: { path: join(base, 'new/dir'), type: 'DirectoryOrCreate' } },
        { name: 'f', hostPath: { path: join(base, 'new.log'), type: 'FileOrCreate' } },
        { name: 's', hostPath: { path: sock, type: 'Socket' } },
        { name: 'any', hostPath: { path: join(base, 'missing-but-untyped') } },
      ]);
      const paths = await vm.mountPodVolumes(pod);
      assert.equal(paths.get('d'), join(base, 'new/dir'));
      assert.ok(statSync(join(base, 'new/dir')).isDirectory());
      assert.ok(statSync(join(base, 'new.log')).isFile());
      assert.equal(paths.get('s'), sock);
      await new Promise<void>((r) => server.close(() => r()));

      const bad: [Volume, string][] = [
        [{ name: 'v', hostPath: { path: join(base, 'file'), type: 'Directory' } }, `hostPath type check failed: ${join(base, 'file')} is not a directory`],
        [{ name: 'v', hostPath: { path: base, type: 'File' } }, `hostPath type check failed: ${base} is not a file`],
        [{ name: 'v', hostPath: { path: join(base, 'file'), type: 'FileOrCreate' } }, ''],
        [{ name: 'v', hostPath: { path: join(base, 'file'), type: 'Socket' } }, `hostPath type check failed: ${join(base, 'file')} is not a socket file`],
        [{ name: 'v', hostPath: { path: join(base, 'nothing'), type: 'Directory' } }, `hostPath type check failed: ${join(base, 'nothing')} is not a directory`],
      ];
      for (const [volume, message] of bad) {
        const p: Pod = { metadata: { name: 'x', namespace: ns, uid: 'hostpath-uid' }, spec: { containers: [], volumes: [volume] } };
        if (!message) {
          await vm.mountPodVolumes(p);
          continue;
        }
        await assert.rejects(vm.mountPodVolumes(p), { message: `MountVolume.SetUp failed for volume "v" : ${message}` });
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('container mounts', () => {
  test('volumeMounts become runtime mounts with subPath, readOnly, and API volumes read-only', async () => {
    await client.resource(resources.configMaps).create({ metadata: { name: 'nginx', namespace: ns }, data: { 'nginx.conf': 'conf' } });
    const pod = await makePod([
      { name: 'data', emptyDir: {} },
      { name: 'conf', configMap: { name: 'nginx' } },
    ]);
    const container = {
      name: 'app',
      env: [{ name: 'SHARD', value: 's1' }],
      volumeMounts: [
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/logs', subPath: 'logs/app', readOnly: true },
        { name: 'data', mountPath: '/shard', subPathExpr: 'shards/$(SHARD)' },
        { name: 'conf', mountPath: '/etc/nginx/nginx.conf', subPath: 'nginx.conf' },
        { name: 'conf', mountPath: '/etc/conf' },
      ],
    };
    const paths = await vm.mountPodVolumes(pod);
    const data = paths.get('data')!;
    const conf = paths.get('conf')!;
    assert.deepEqual(vm.containerMounts(pod, container, paths), [
      { containerPath: '/data', hostPath: data, readOnly: false },
      { containerPath: '/logs', hostPath: join(data, 'logs/app'), readOnly: true, subPath: true },
      { containerPath: '/shard', hostPath: join(data, 'shards/s1'), readOnly: false, subPath: true },
      { containerPath: '/etc/nginx/nginx.conf', hostPath: join(conf, 'nginx.conf'), readOnly: true, subPath: true },
      { containerPath: '/etc/conf', hostPath: conf, readOnly: true },
    ]);
    assert.ok(statSync(join(data, 'logs/app')).isDirectory(), 'a missing subPath is created as a directory');
    assert.equal(read(join(conf, 'nginx.conf')), 'conf');

    assert.throws(() => vm.containerMounts(pod, { name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, paths), {
      message: 'cannot find volume "nope" to mount into container "app"',
    });
    assert.throws(() => vm.containerMounts(pod, { name: 'app', volumeMounts: [{ name: 'data', mountPath: '/x', subPath: '../escape' }] }, paths), VolumeError);
  });
});
