// Test fixture: a tiny HTTP server that answers just enough (version, legacy discovery, a few
// GETs for drain) for the real kubectl to send its create POSTs, and records each POST body.
// It is a recorder of kubectl's bytes, not a model of our API server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Res {
  name: string;
  kind: string;
  namespaced: boolean;
  singular: string;
}

const res = (name: string, kind: string, namespaced: boolean): Res => ({ name, kind, namespaced, singular: kind.toLowerCase() });

/** groupVersion → resources that the commands under test need for their REST mapping. */
const discovery: Record<string, Res[]> = {
  v1: [
    res('namespaces', 'Namespace', false),
    res('configmaps', 'ConfigMap', true),
    res('secrets', 'Secret', true),
    res('services', 'Service', true),
    res('serviceaccounts', 'ServiceAccount', true),
    res('pods', 'Pod', true),
    res('nodes', 'Node', false),
    res('resourcequotas', 'ResourceQuota', true),
    res('events', 'Event', true),
  ],
  'apps/v1': [res('deployments', 'Deployment', true), res('replicasets', 'ReplicaSet', true), res('daemonsets', 'DaemonSet', true), res('statefulsets', 'StatefulSet', true)],
  'batch/v1': [res('jobs', 'Job', true), res('cronjobs', 'CronJob', true)],
  'rbac.authorization.k8s.io/v1': [
    res('roles', 'Role', true),
    res('rolebindings', 'RoleBinding', true),
    res('clusterroles', 'ClusterRole', false),
    res('clusterrolebindings', 'ClusterRoleBinding', false),
  ],
  'scheduling.k8s.io/v1': [res('priorityclasses', 'PriorityClass', false)],
  'policy/v1': [res('poddisruptionbudgets', 'PodDisruptionBudget', true)],
  'authorization.k8s.io/v1': [res('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false)],
  'authentication.k8s.io/v1': [res('tokenreviews', 'TokenReview', false)],
};

/** Subresources POSTed by the commands under test: path suffix → kind and apiVersion of the body. */
const subresources: Record<string, { kind: string; apiVersion: string }> = {
  token: { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1' },
  eviction: { kind: 'Eviction', apiVersion: 'policy/v1' },
};

export interface Captured {
  url: string;
  contentType: string;
  body: Buffer;
}

export interface CaptureServer {
  /** A temp directory that lives as long as the server (for files kubectl reads). */
  dir: string;
  /** Runs kubectl with the given args against the server; resolves with stdout, rejects on failure. */
  kubectl(args: string[]): Promise<string>;
  /** POSTs recorded since the last call, oldest first. */
  takePosts(): Captured[];
  close(): Promise<void>;
}

/** The node and pod that `kubectl drain n1` finds and evicts. */
const drainNode = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u-n1', resourceVersion: '1' }, spec: {} };
const drainPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', namespace: 'default', uid: 'u-p1', resourceVersion: '1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u-rs', controller: true }] },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i' }] },
};

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function notFound(res: ServerResponse, what: string): void {
  send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `${what} not found` });
}

function handle(req: IncomingMessage, body: Buffer, res: ServerResponse, posts: Captured[]): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = url.pathname;
  if (path === '/version') {
    return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0', gitCommit: 'x', gitTreeState: 'clean', buildDate: '2024-12-11T00:00:00Z', goVersion: 'go1.23', compiler: 'gc', platform: 'linux/amd64' });
  }
  if (path === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] });
  if (path === '/apis') {
    const groups = Object.keys(discovery)
      .filter((gv) => gv.includes('/'))
      .map((gv) => {
        const [name, version] = gv.split('/');
        return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
      });
    return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
  }
  const gvMatch = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(path);
  if (gvMatch && req.method === 'GET') {
    const gv = gvMatch[1] ?? gvMatch[2];
    const list = discovery[gv];
    if (!list) return notFound(res, gv);
    const resources = list.flatMap((r) => [
      { name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
      ...(r.name === 'pods' ? [{ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }] : []),
      ...(r.name === 'serviceaccounts' ? [{ name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }] : []),
    ]);
    return send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources });
  }
  // The GETs and PATCH of `kubectl drain n1`: the node, its pods, the cordon, and the wait for
  // the evicted pod to disappear.
  if (path === '/api/v1/nodes/n1') return send(res, 200, drainNode);
  if (path === '/api/v1/pods' && req.method === 'GET') return send(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [drainPod] });
  if (path === '/api/v1/namespaces/default/pods/p1' && req.method === 'GET') return notFound(res, 'pods "p1"');
  if (req.method === 'POST') {
    posts.push({ url: req.url ?? '', contentType: req.headers['content-type'] ?? '', body });
    const parts = path.split('/').filter(Boolean);
    const sub = subresources[parts[parts.length - 1]];
    const gv = parts[0] === 'api' ? 'v1' : `${parts[1]}/${parts[2]}`;
    const plural = parts[parts.length - 1];
    const kind = sub?.kind ?? discovery[gv]?.find((r) => r.name === plural)?.kind ?? 'Unknown';
    // kubectl prints from the reply: enough metadata for "x created", a token, an answer.
    return send(res, 201, {
      apiVersion: sub?.apiVersion ?? gv,
      kind,
      metadata: { name: 'captured', namespace: parts.includes('namespaces') ? parts[parts.indexOf('namespaces') + 1] : undefined },
      // `kubectl debug node/…` reads the created pod's containers back.
      spec: kind === 'Pod' ? { containers: [{ name: 'debugger', image: 'busybox' }] } : undefined,
      status: kind === 'TokenRequest' ? { token: 'captured-token', expirationTimestamp: '2030-01-01T00:00:00Z' } : kind === 'SelfSubjectAccessReview' ? { allowed: true } : undefined,
    });
  }
  if (req.method === 'PATCH') return send(res, 200, drainNode);
  return notFound(res, path);
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const posts: Captured[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res, posts));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-pb-capture-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: u, user: {token: t}}]',
      'contexts: [{name: x, context: {cluster: c, user: u, namespace: default}}]',
      'current-context: x',
      '',
    ].join('\n'),
  );
  return {
    dir,
    kubectl: (args) =>
      new Promise((resolve, reject) => {
        execFile(
          'kubectl',
          [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, ...args],
          { cwd: dir, env: { ...process.env, HOME: dir, KUBECONFIG: kubeconfig }, timeout: 30_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`kubectl ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout)),
        );
      }),
    takePosts: () => posts.splice(0),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
