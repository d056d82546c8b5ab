// Merging KUBECONFIG files: for each case, what we load must equal what the real kubectl prints
// for the same files (`kubectl config view --merge --flatten -o json`), and the context we
// would use must be the one `--minify` picks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { flattenKubeconfig, kubeconfigPathsFromEnv, loadKubeconfigFiles } from '../../../src/client/kubeconfig/kubeconfig-file.js';
import { loadConfig } from '../../../src/client/kubeconfig/load.js';
import { kubectlPath } from '../../helpers/cluster.js';

interface FileSpec {
  path: string;
  doc?: Record<string, unknown>;
}

const cluster = (name: string, cluster: Record<string, unknown>) => ({ name, cluster });
const user = (name: string, user: Record<string, unknown>) => ({ name, user });
const context = (name: string, context: Record<string, unknown>) => ({ name, context });

const cases: Array<{ name: string; files: FileSpec[]; extra?: Record<string, string>; kubeconfigVar: (dir: string) => string }> = [
  {
    name: 'the first file to define a cluster, user or context name wins it whole, and current-context comes from the first file that sets it',
    files: [
      {
        path: 'a/config',
        doc: {
          clusters: [cluster('shared', { server: 'https://from-a:6443', 'insecure-skip-tls-verify': true })],
          users: [user('shared', { token: 'token-a' })],
          contexts: [context('ctx', { cluster: 'shared', user: 'shared', namespace: 'ns-a' })],
        },
      },
      {
        path: 'b/config',
        doc: {
          'current-context': 'ctx-b',
          clusters: [cluster('shared', { server: 'https://from-b:6443', 'tls-server-name': 'only-in-b' }), cluster('only-b', { server: 'https://b2:6443', 'insecure-skip-tls-verify': true })],
          users: [user('shared', { username: 'bob', password: 'pw' }), user('only-b', { token: 'tb' })],
          contexts: [context('ctx', { cluster: 'only-b', user: 'only-b' }), context('ctx-b', { cluster: 'only-b', user: 'only-b', namespace: 'ns-b' })],
        },
      },
    ],
    kubeconfigVar: (d) => [join(d, 'a/config'), join(d, 'b/config')].join(delimiter),
  },
  {
    name: 'an earlier current-context beats a later one, even when the later file defines more',
    files: [
      { path: 'one', doc: { 'current-context': 'first', contexts: [context('first', { cluster: 'c', user: 'u' })] } },
      {
        path: 'two',
        doc: {
          'current-context': 'second',
          clusters: [cluster('c', { server: 'https://c:443', 'insecure-skip-tls-verify': true })],
          users: [user('u', { token: 't' })],
          contexts: [context('second', { cluster: 'c', user: 'u' })],
        },
      },
    ],
    kubeconfigVar: (d) => [join(d, 'one'), join(d, 'two')].join(delimiter),
  },
  {
    name: 'missing files, empty entries and repeated files in KUBECONFIG are skipped',
    files: [
      {
        path: 'real',
        doc: { 'current-context': 'x', clusters: [cluster('c', { server: 'https://real:1', 'insecure-skip-tls-verify': true })], users: [user('u', { token: 'r' })], contexts: [context('x', { cluster: 'c', user: 'u' })] },
      },
      { path: 'later', doc: { clusters: [cluster('c', { server: 'https://later:1' })] } },
    ],
    kubeconfigVar: (d) => ['', join(d, 'does-not-exist'), join(d, 'real'), '', join(d, 'real'), join(d, 'later')].join(delimiter),
  },
  {
    name: 'relative certificate paths are resolved against the directory of the file that defined the entry, and flatten embeds them',
    files: [
      { path: 'x/ca.crt' },
      { path: 'y/client.crt' },
      { path: 'y/client.key' },
      {
        path: 'x/config',
        doc: { 'current-context': 'c', clusters: [cluster('cl', { server: 'https://x:6443', 'certificate-authority': 'ca.crt' })], contexts: [context('c', { cluster: 'cl', user: 'me', namespace: 'apps' })] },
      },
      { path: 'y/config', doc: { users: [user('me', { 'client-certificate': 'client.crt', 'client-key': './client.key' })] } },
    ],
    kubeconfigVar: (d) => [join(d, 'x/config'), join(d, 'y/config')].join(delimiter),
  },
  {
    name: 'inline certificate data is kept and a token file path is kept as written',
    files: [
      {
        path: 'cfg',
        doc: {
          'current-context': 'c',
          clusters: [cluster('cl', { server: 'https://d:6443', 'certificate-authority-data': Buffer.from('INLINE CA\n').toString('base64') })],
          users: [user('me', { tokenFile: 'relative/token' })],
          contexts: [context('c', { cluster: 'cl', user: 'me' })],
        },
      },
    ],
    kubeconfigVar: (d) => join(d, 'cfg'),
  },
];

/** kubectl omits empty and false fields (omitempty); so do we for the comparison. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'preferences' || x === undefined || x === false || x === '' || x === null) continue;
      out[k] = normalize(x);
    }
    return out;
  }
  return v;
}

function kubectl(args: string[], env: Record<string, string>): string {
  const r = spawnSync(kubectlPath, args, { env: { PATH: process.env.PATH, HOME: env.HOME, KUBECONFIG: env.KUBECONFIG }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

for (const c of cases) {
  test(c.name, () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
    try {
      for (const f of c.files) {
        mkdirSync(join(dir, f.path, '..'), { recursive: true });
        writeFileSync(join(dir, f.path), f.doc ? stringify({ apiVersion: 'v1', kind: 'Config', ...f.doc }) : `-----BEGIN ${f.path}-----\n`);
      }
      const env = { HOME: dir, KUBECONFIG: c.kubeconfigVar(dir) };
      const theirs = JSON.parse(kubectl(['config', 'view', '--merge', '--flatten', '-o', 'json'], env));
      const ours = flattenKubeconfig(loadKubeconfigFiles(kubeconfigPathsFromEnv(env.KUBECONFIG)));
      assert.deepEqual(normalize(ours), normalize(theirs));

      // The context kubectl would use (--minify keeps only it) is the one loadConfig resolves.
      const minified = JSON.parse(kubectl(['config', 'view', '--minify', '--flatten', '-o', 'json'], env));
      const loaded = loadConfig({ env, warn: () => {} });
      assert.equal(loaded.source, minified['current-context']);
      assert.equal(loaded.server, minified.clusters[0].cluster.server);
      assert.equal(loaded.namespace, minified.contexts[0].context.namespace ?? 'default');
      const ca = minified.clusters[0].cluster['certificate-authority-data'];
      assert.equal(loaded.ca, ca ? Buffer.from(ca, 'base64').toString() : undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
