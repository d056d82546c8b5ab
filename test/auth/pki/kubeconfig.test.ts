import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePki } from '../../../src/auth/pki/pki.js';
import { writeKubeconfig } from '../../../src/auth/pki/kubeconfig.js';

// Asynchronous: some tests serve HTTPS from this process while kubectl runs.
const run = promisify(execFile);

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function kubectl(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args, { env: { ...process.env, KUBECACHEDIR: join(dir, 'kube-cache') } });
  return stdout;
}

interface ViewedConfig {
  'current-context': string;
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

test('kubectl config view reads the kubeconfig back with the context, server and embedded credentials', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, { hosts: [], ips: [] });
  const path = join(dir, 'kubeconfig');
  const cases = [
    { name: 'default names', names: {}, expect: { cluster: 'k8ts', user: 'k8ts', context: 'k8ts' } },
    {
      name: 'given names',
      names: { clusterName: 'lab', user: 'admin', context: 'admin@lab' },
      expect: { cluster: 'lab', user: 'admin', context: 'admin@lab' },
    },
  ];
  for (const c of cases) {
    writeKubeconfig(path, { server: 'https://127.0.0.1:6443', caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem, ...c.names });
    assert.equal(statSync(path).mode & 0o777, 0o600, `${c.name}: mode`);
    const config = JSON.parse(await kubectl(dir, 'config', 'view', '--raw', '-o', 'json', '--kubeconfig', path)) as ViewedConfig;
    assert.equal(config['current-context'], c.expect.context, c.name);
    assert.deepEqual(config.contexts, [{ name: c.expect.context, context: { cluster: c.expect.cluster, user: c.expect.user } }]);
    assert.equal(config.clusters[0].name, c.expect.cluster);
    assert.equal(config.clusters[0].cluster.server, 'https://127.0.0.1:6443');
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    assert.equal(decode(config.clusters[0].cluster['certificate-authority-data']), pki.caCertPem);
    assert.equal(config.users[0].name, c.expect.user);
    assert.equal(decode(config.users[0].user['client-certificate-data']), pki.adminCertPem);
    assert.equal(decode(config.users[0].user['client-key-data']), pki.adminKeyPem);
    const current = (await kubectl(dir, 'config', 'current-context', '--kubeconfig', path)).trim();
    assert.equal(current, c.expect.context);
  }
});

test('an existing, more open kubeconfig file is replaced by one only its owner can read', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, { hosts: [], ips: [] });
  const path = join(dir, 'nested', 'kubeconfig');
  writeKubeconfig(path, { server: 'https://127.0.0.1:1', caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
  writeFileSync(path, 'stale', { mode: 0o644 });
  writeKubeconfig(path, { server: 'https://127.0.0.1:2', caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

// The real check that Go's TLS stack accepts our certificates: kubectl must trust the serving
// certificate by the CA in the kubeconfig (for both a DNS and an IP SAN) and present the admin
// client certificate, which the server verifies against the same CA.
test('kubectl trusts the serving certificate through the kubeconfig and authenticates with the admin client certificate', async (t) => {
  const dir = tempDir(t);
  const pki = await ensurePki(dir, { hosts: [], ips: [] });
  const seen = new Set<string>();
  const server: Server = createServer(
    { cert: pki.servingCertPem, key: pki.servingKeyPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.add(`${peer.subject.CN}/${String(peer.subject.O)} ${req.url?.split('?')[0]}`);
      res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'text/plain' }).end(req.url === '/readyz' ? 'ok' : 'not found');
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;

  for (const host of ['127.0.0.1', 'localhost']) {
    const path = join(dir, `kubeconfig-${host}`);
    writeKubeconfig(path, { server: `https://${host}:${port}`, caPem: pki.caCertPem, certPem: pki.adminCertPem, keyPem: pki.adminKeyPem });
    assert.equal(await kubectl(dir, '--kubeconfig', path, 'get', '--raw', '/readyz'), 'ok', `via ${host}`);
  }
  // kubectl may also probe other paths; every request must carry the admin identity.
  assert.ok(seen.has('kubernetes-admin/system:masters /readyz'), [...seen].join(', '));
  for (const s of seen) assert.match(s, /^kubernetes-admin\/system:masters /);
});
