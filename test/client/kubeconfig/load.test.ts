// loadConfig: which file, which context, which credentials; the errors a broken kubeconfig
// gives at load time; in-cluster configuration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { loadConfig, type LoadConfigOptions } from '../../../src/client/kubeconfig/load.js';
import type { ClientConfig } from '../../../src/client/kubeconfig/client-config.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Case {
  name: string;
  /** Files to write, relative to a temp dir; objects are written as kubeconfig YAML. */
  files: Record<string, Record<string, unknown> | string>;
  opts: (dir: string) => LoadConfigOptions;
  want?: (dir: string) => Partial<ClientConfig>;
  error?: RegExp;
  warnings?: RegExp[];
}

const basic = (user: Record<string, unknown>, clusterExtra: Record<string, unknown> = {}, ctxExtra: Record<string, unknown> = {}) => ({
  'current-context': 'main',
  clusters: [{ name: 'cl', cluster: { server: 'https://k8s.example:6443', ...clusterExtra } }],
  users: [{ name: 'me', user }],
  contexts: [{ name: 'main', context: { cluster: 'cl', user: 'me', ...ctxExtra } }, { name: 'other', context: { cluster: 'cl', user: 'me', namespace: 'elsewhere' } }],
});

const cases: Case[] = [
  {
    name: 'an explicit path wins over KUBECONFIG, and the current context gives server, namespace and a client certificate from files beside the kubeconfig',
    files: {
      'kc/config': basic({ 'client-certificate': 'me.crt', 'client-key': 'me.key' }, { 'certificate-authority': 'ca.crt' }, { namespace: 'team' }),
      'kc/me.crt': 'CERT',
      'kc/me.key': 'KEY',
      'kc/ca.crt': 'CA',
      'env/config': basic({ token: 'env' }),
    },
    opts: (d) => ({ kubeconfig: join(d, 'kc/config'), env: { KUBECONFIG: join(d, 'env/config') } }),
    want: () => ({ server: 'https://k8s.example:6443', namespace: 'team', cert: 'CERT', key: 'KEY', ca: 'CA', insecure: false, source: 'main', token: undefined }),
  },
  {
    name: 'a context chosen by option overrides current-context, and a namespace option overrides the context namespace',
    files: { config: basic({ token: 'abc' }) },
    opts: (d) => ({ env: { KUBECONFIG: join(d, 'config') }, context: 'other' }),
    want: () => ({ source: 'other', namespace: 'elsewhere', token: 'abc' }),
  },
  {
    name: 'the namespace option beats the context namespace; a context without namespace means "default"',
    files: { config: basic({ token: 'abc' }) },
    opts: (d) => ({ env: { KUBECONFIG: join(d, 'config') }, context: 'other', namespace: 'mine' }),
    want: () => ({ namespace: 'mine' }),
  },
  {
    name: 'without KUBECONFIG the file is $HOME/.kube/config',
    files: { 'home/.kube/config': basic({ token: 'home' }) },
    opts: (d) => ({ env: { HOME: join(d, 'home') } }),
    want: () => ({ token: 'home', namespace: 'default' }),
  },
  {
    name: 'inline base64 certificate data is decoded',
    files: { config: basic({ 'client-certificate-data': b64('C'), 'client-key-data': b64('K') }, { 'certificate-authority-data': b64('A') }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    want: () => ({ cert: 'C', key: 'K', ca: 'A' }),
  },
  {
    name: 'a token file stays a path (resolved beside the kubeconfig) so it can be re-read',
    files: { 'a/config': basic({ tokenFile: 'tok' }) },
    opts: (d) => ({ kubeconfig: join(d, 'a/config'), env: {} }),
    want: (d) => ({ tokenFile: join(d, 'a/tok'), token: undefined }),
  },
  {
    name: 'with both an inline token and a token file, the inline token is used and the file ignored (as clientcmd)',
    files: { config: basic({ token: 'inline', tokenFile: 'tok' }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    want: () => ({ token: 'inline', tokenFile: undefined }),
  },
  {
    name: 'insecure-skip-tls-verify and tls-server-name are carried; proxy-url is ignored with a warning',
    files: { config: basic({ token: 't' }, { 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal', 'proxy-url': 'http://proxy:3128' }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    want: () => ({ insecure: true, tlsServerName: 'api.internal', ca: undefined }),
    warnings: [/proxy-url http:\/\/proxy:3128.*ignored/],
  },
  {
    name: 'username and password are carried for basic auth',
    files: { config: basic({ username: 'u', password: 'p' }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    want: () => ({ username: 'u', password: 'p' }),
  },
  {
    name: 'a CA together with insecure-skip-tls-verify is refused, as kubectl does',
    files: { config: basic({ token: 't' }, { 'insecure-skip-tls-verify': true, 'certificate-authority-data': b64('A') }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    error: /root certificates file with the insecure flag is not allowed/,
  },
  {
    name: 'a certificate-authority path and data for the same cluster is refused, as kubectl does',
    files: { config: basic({ token: 't' }, { 'certificate-authority': 'ca', 'certificate-authority-data': b64('A') }), ca: 'X' },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    error: /certificate-authority-data and certificate-authority are both specified/,
  },
  {
    name: 'a client certificate without its key is refused',
    files: { config: basic({ 'client-certificate-data': b64('C') }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    error: /must both be specified/,
  },
  {
    name: 'a certificate file that cannot be read names the file and the kubeconfig',
    files: { config: basic({ 'client-certificate': 'gone.crt', 'client-key-data': b64('K') }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    error: /unable to read client-certificate .*gone\.crt/,
  },
  {
    name: 'a context that does not exist is an error naming it',
    files: { config: basic({ token: 't' }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), context: 'nope', env: {} }),
    error: /context "nope" does not exist/,
  },
  {
    name: 'an explicit kubeconfig that does not exist is an error (KUBECONFIG entries that do not exist are skipped instead)',
    files: {},
    opts: (d) => ({ kubeconfig: join(d, 'missing'), env: {} }),
    error: /missing: no such file/,
  },
  {
    name: 'no kubeconfig and no in-cluster environment is an error that says no context is set',
    files: {},
    opts: (d) => ({ env: { KUBECONFIG: join(d, 'missing') } }),
    error: /current-context is not set/,
  },
  {
    name: 'an exec credential plugin is refused with a clear message rather than sending anonymous requests',
    files: { config: basic({ exec: { command: 'aws', apiVersion: 'client.authentication.k8s.io/v1' } }) },
    opts: (d) => ({ kubeconfig: join(d, 'config'), env: {} }),
    error: /exec credential plugin/,
  },
  {
    name: 'in a pod (no kubeconfig, service variables set) the service account files give server, CA, token file and namespace',
    files: { 'sa/token': 'jwt', 'sa/ca.crt': 'POD CA', 'sa/namespace': 'payments\n' },
    opts: (d) => ({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HOME: d }, inCluster: { dir: join(d, 'sa') } }),
    want: (d) => ({ server: 'https://10.96.0.1:443', ca: 'POD CA', tokenFile: join(d, 'sa/token'), namespace: 'payments', source: 'in-cluster', insecure: false }),
  },
  {
    name: 'in-cluster with an IPv6 service host brackets the address',
    files: { 'sa/token': 'jwt' },
    opts: (d) => ({ env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443', HOME: d }, inCluster: { dir: join(d, 'sa') } }),
    want: () => ({ server: 'https://[fd00::1]:6443', namespace: 'default', ca: undefined }),
  },
  {
    name: 'a kubeconfig with a current context wins over the in-cluster environment',
    files: { 'home/.kube/config': basic({ token: 'kc' }), 'sa/token': 'jwt' },
    opts: (d) => ({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', HOME: join(d, 'home') }, inCluster: { dir: join(d, 'sa') } }),
    want: () => ({ token: 'kc', source: 'main' }),
  },
];

for (const c of cases) {
  test(c.name, () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-load-'));
    try {
      for (const [path, content] of Object.entries(c.files)) {
        mkdirSync(join(dir, path, '..'), { recursive: true });
        writeFileSync(join(dir, path), typeof content === 'string' ? content : stringify({ apiVersion: 'v1', kind: 'Config', ...content }));
      }
      const warnings: string[] = [];
      const opts = { warn: (m: string) => warnings.push(m), ...c.opts(dir) };
      if (c.error) {
        assert.throws(() => loadConfig(opts), c.error);
        return;
      }
      const got = loadConfig(opts);
      for (const [k, v] of Object.entries(c.want!(dir))) assert.deepEqual(got[k as keyof ClientConfig], v, `field ${k}`);
      assert.equal(warnings.length, c.warnings?.length ?? 0, `warnings: ${warnings.join('; ')}`);
      for (const w of c.warnings ?? []) assert.ok(warnings.some((m) => w.test(m)), `no warning matching ${w}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
