// Paths that are not resources: health checks, /version, discovery documents and OpenAPI.
import { arch, platform } from 'node:os';
import { K8TS_VERSION, KUBERNETES_MAJOR, KUBERNETES_MINOR } from '../../util/version.js';
import { openapiV3DocumentJSON, openapiV3Root } from '../../api/openapi/documents.js';
import { StatusError } from '../../api/status.js';
import type { Request } from '../http/body.js';
import { writeJSON, writeText, type Response } from '../http/respond.js';
import type { ApiServer } from '../server.js';
import type { ResourceRegistry } from '../registry/resource-registry.js';
import { openapiV2Protobuf, openapiV2ProtobufType, wantsOpenapiV2Protobuf } from './openapi-v2.js';
import { remoteGroups } from '../aggregator/discovery.js';
import { aggregatedContentTypeFor, aggregatedDiscovery, apiGroupDocument, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery.js';

const notFound = () => new StatusError(404, 'NotFound', 'the server could not find the requested resource');

export function versionInfo(): Record<string, string> {
  return {
    major: KUBERNETES_MAJOR,
    minor: KUBERNETES_MINOR,
    gitVersion: `v${KUBERNETES_MAJOR}.${KUBERNETES_MINOR}.0-k8ts.${K8TS_VERSION}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'k8ts',
    platform: `${platform()}/${arch() === 'x64' ? 'amd64' : arch()}`,
  };
}

/** Storage is healthy when its watch is alive and, for a store behind a network, it answers a read now. */
async function storageHealthy(api: ApiServer): Promise<boolean> {
  if (api.cache.error) return false;
  if (!api.store.checkHealth) return true;
  try {
    await api.store.checkHealth();
    return true;
  } catch {
    return false;
  }
}

async function healthCheck(api: ApiServer, res: Response, path: string, query: URLSearchParams): Promise<void> {
  const [, endpoint, check] = path.split('/');
  const excluded = new Set(query.getAll('exclude'));
  const checks: [string, boolean][] = [
    ['ping', true],
    ['log', true],
    ['etcd', excluded.has('etcd') || (await storageHealthy(api))],
    ['poststarthook/bootstrap-controller', endpoint !== 'readyz' || api.ready],
  ];
  if (endpoint === 'readyz') checks.push(['shutdown', api.ready]);
  // ?exclude=NAME (repeatable) leaves a check out, e.g. /livez?exclude=etcd so that a storage
  // outage does not get the server restarted; verbose output still lists it.
  for (const c of checks) if (excluded.has(c[0])) c[1] = true;
  if (check) {
    const one = checks.find(([name]) => name === path.split('/').slice(2).join('/'));
    if (!one) throw notFound();
    writeText(res, one[1] ? 200 : 500, one[1] ? 'ok' : `internal server error: ${one[0]} check failed`);
    return;
  }
  const ok = checks.every(([, passed]) => passed);
  if (query.has('verbose') || !ok) {
    const lines = checks.map(([name, passed]) => `[${passed ? '+' : '-'}]${name} ${excluded.has(name) ? 'excluded: ok' : passed ? 'ok' : 'failed: reason withheld'}`);
    lines.push(ok ? `${endpoint} check passed` : `${endpoint} check failed`);
    writeText(res, ok ? 200 : 500, lines.join('\n') + '\n');
    return;
  }
  writeText(res, 200, 'ok');
}

export async function handleNonResource(api: ApiServer, req: Request, res: Response, path: string, query: URLSearchParams): Promise<void> {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (/^\/(healthz|livez|readyz)(\/|$)/.test(p)) return healthCheck(api, res, p, query);
  if (p === '/version') return writeJSON(res, 200, versionInfo());
  if (p === '/api' || p === '/apis') {
    const v = wantsAggregated(req.headers.accept);
    if (v) {
      return writeJSON(res, 200, aggregatedDiscovery(api.registry, p === '/api', v, remoteGroups(api.aggregator.remoteGroupVersions())), { 'Content-Type': aggregatedContentTypeFor(v), Vary: 'Accept' });
    }
    const body = p === '/api' ? apiVersions(`${api.advertise.host}:${api.advertise.port}`) : apiGroupList(api.registry, remoteGroups(api.aggregator.remoteGroupVersions()));
    return writeJSON(res, 200, body, { Vary: 'Accept' });
  }
  const parts = p.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) {
    const doc = apiResourceList(api.registry, '', parts[1]);
    if (!doc) throw notFound();
    return writeJSON(res, 200, doc);
  }
  if (parts[0] === 'apis' && parts.length === 2) {
    const doc = apiGroupDocument(api.registry, parts[1], remoteGroups(api.aggregator.remoteGroupVersions()));
    if (!doc) throw notFound();
    return writeJSON(res, 200, doc);
  }
  if (parts[0] === 'apis' && parts.length === 3) {
    const doc = apiResourceList(api.registry, parts[1], parts[2]);
    if (!doc) throw notFound();
    return writeJSON(res, 200, doc);
  }
  if (p === '/openapi/v2' && wantsOpenapiV2Protobuf(req.headers.accept)) {
    const resources = api.registry.groupVersions().flatMap((g) => g.versions.flatMap((v) => api.registry.resourcesOf(g.group, v)));
    res.writeHead(200, { 'Content-Type': openapiV2ProtobufType, 'Cache-Control': 'no-cache, private' });
    res.end(openapiV2Protobuf(resources));
    return;
  }
  if (p === '/openapi/v3') {
    const custom = customSchemas(api.registry);
    return writeJSON(
      res,
      200,
      openapiV3Root(
        api.registry.groupVersions().flatMap((g) =>
          g.versions.map((version) => {
            // A CRD's document changes with its schema: its hash is that of the document.
            const schemas = custom.get(`${g.group}/${version}`);
            return schemas ? { group: g.group, version, hash: openapiV3DocumentJSON(g.group, version, api.registry.resourcesOf(g.group, version), { customSchemas: schemas }).hash } : { group: g.group, version };
          }),
        ),
      ),
    );
  }
  if (parts[0] === 'openapi' && parts[1] === 'v3' && parts.length >= 3) {
    const gvPath = parts.slice(2).join('/');
    const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(gvPath);
    if (!m) throw notFound();
    const group = m[1] ? '' : m[2];
    const version = m[1] ?? m[3];
    const resources = api.registry.resourcesOf(group, version);
    if (!resources.length) throw notFound();
    const schemas = customSchemas(api.registry).get(`${group}/${version}`);
    const { body, hash } = openapiV3DocumentJSON(group, version, resources, schemas ? { customSchemas: schemas } : {});
    const etag = `"${hash}"`;
    // A URL carrying ?hash= names one immutable document; kubectl caches it for good.
    const headers: Record<string, string> = query.has('hash')
      ? { ETag: etag, 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86400e3).toUTCString() }
      : { ETag: etag, 'Cache-Control': 'no-cache, private' };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    return writeJSON(res, 200, body, headers);
  }
  if (p === '/') {
    const paths = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v3', '/readyz', '/version'];
    for (const g of api.registry.groupVersions()) if (g.group) paths.push(`/apis/${g.group}`, ...g.versions.map((v) => `/apis/${g.group}/${v}`));
    return writeJSON(res, 200, { paths: paths.sort() });
  }
  throw notFound();
}

/** openAPIV3Schema by kind of the custom resources, by "group/version" (only those that have any), in one pass over the registry. */
function customSchemas(registry: ResourceRegistry): Map<string, Record<string, object>> {
  const out = new Map<string, Record<string, object>>();
  for (const e of registry.all()) {
    if (!e.custom) continue;
    const gv = `${e.type.group}/${e.type.version}`;
    let kinds = out.get(gv);
    if (!kinds) out.set(gv, (kinds = {}));
    kinds[e.type.kind] = e.custom.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
  return out;
}
