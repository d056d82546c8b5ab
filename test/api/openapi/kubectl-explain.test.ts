// Serves only our OpenAPI v3 documents (plus the minimal discovery kubectl needs to map
// "pod" to v1/Pod) on loopback and runs the real `kubectl explain` against them. This checks
// the documents' shape as kubectl reads it; the real API server is tested elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { ResourceType } from '../../../src/api/resource.js';
import { groupVersionPath, openapiV3DocumentJSON, openapiV3Root } from '../../../src/api/openapi/documents.js';
import { fixtureResources } from './resources.fixture.js';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);

function discovery(resources: ResourceType[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const gvs = new Map<string, ResourceType[]>();
  for (const r of resources) gvs.set(groupVersionPath(r.group, r.version), [...(gvs.get(groupVersionPath(r.group, r.version)) ?? []), r]);
  out.set('/api', { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
  const groups = [...new Set(resources.filter((r) => r.group).map((r) => r.group))].map((g) => {
    const v = resources.find((r) => r.group === g)?.version as string;
    const gv = { groupVersion: `${g}/${v}`, version: v };
    return { name: g, versions: [gv], preferredVersion: gv };
  });
  out.set('/apis', { kind: 'APIGroupList', apiVersion: 'v1', groups });
  for (const [path, rs] of gvs) {
    out.set(`/${path}`, {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: rs[0].group ? `${rs[0].group}/${rs[0].version}` : rs[0].version,
      resources: rs.map((r) => ({ name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames })),
    });
  }
  return out;
}

async function serve(): Promise<{ server: Server; url: string; hits: string[] }> {
  const disc = discovery(fixtureResources);
  const gvs = [...new Set(fixtureResources.map((r) => `${r.group}|${r.version}`))].map((s) => ({ group: s.split('|')[0], version: s.split('|')[1] }));
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    hits.push(url.pathname);
    const send = (body: string): void => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); };
    if (disc.has(url.pathname)) return send(JSON.stringify(disc.get(url.pathname)));
    if (url.pathname === '/openapi/v3') return send(JSON.stringify(openapiV3Root(gvs.map((gv) => ({ ...gv, resources: fixtureResources })))));
    const gv = gvs.find((g) => url.pathname === `/openapi/v3/${groupVersionPath(g.group, g.version)}`);
    if (gv) return send(openapiV3DocumentJSON(gv.group, gv.version, fixtureResources).body);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

async function explain(args: string[]): Promise<{ stdout: string; hits: string[] }> {
  const { server, url, hits } = await serve();
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-explain-'));
  try {
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: t',
      'clusters: [{name: t, cluster: {server: "' + url + '"}}]',
      'contexts: [{name: t, context: {cluster: t, user: u}}]',
      'users: [{name: u, user: {}}]', '',
    ].join('\n'));
    const { stdout } = await run(KUBECTL, ['--kubeconfig', kubeconfig, 'explain', ...args, '--cache-dir', join(dir, 'cache')], { timeout: 30_000 });
    return { stdout, hits };
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const skip = existsSync(KUBECTL) ? false : 'kubectl is not installed';

test('kubectl explain pod.spec.containers prints the container fields and their descriptions from our v3 document', { skip }, async () => {
  const { stdout, hits } = await explain(['pod.spec.containers']);
  assert.ok(hits.includes('/openapi/v3/api/v1'), 'kubectl read the core/v1 document');
  assert.match(stdout, /KIND:\s+Pod/);
  assert.match(stdout, /VERSION:\s+v1/);
  assert.match(stdout, /FIELD:\s+containers <\[\]Container>/);
  assert.match(stdout, /List of containers belonging to the pod/);
  assert.match(stdout, /image\s+<string>/);
  assert.match(stdout, /ports\s+<\[\]ContainerPort>/);
  assert.match(stdout, /name\s+<string> -required-/);
  assert.match(stdout, /Container image name/);
});

test('kubectl explain follows references across groups (deployment.spec.template.spec.containers.resources.limits)', { skip }, async () => {
  const { stdout } = await explain(['deployment.spec.template.spec.containers.resources.limits']);
  assert.match(stdout, /GROUP:\s+apps/);
  assert.match(stdout, /FIELD:\s+limits <map\[string\]Quantity>/);
  assert.match(stdout, /Limits describes the maximum amount of compute resources allowed/);
});
