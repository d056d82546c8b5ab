// parseRequestInfo reads segments by index; it must say exactly what the straightforward
// split-filter-slice reading (upstream's RequestInfoFactory shape, kept here as the reference)
// says, for every path shape and method.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo, isTrue, type RequestInfo } from '../../src/apiserver/request-info.js';

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function reference(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = { isResource: false, path, verb: method.toLowerCase(), group: '', version: '', namespace: '', resource: '', subresource: '', name: '', rest: [] };
  const parts = path.split('/').filter((p) => p !== '').map(safeDecode);
  let i: number;
  if (parts[0] === 'api') {
    if (parts.length < 3) return info;
    info.version = parts[1];
    i = 2;
  } else if (parts[0] === 'apis') {
    if (parts.length < 4) return info;
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return info;
  }
  info.isResource = true;
  let rest = parts.slice(i);
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    info.namespace = rest[1];
    rest = rest.slice(2);
    if (rest.length === 1 && (rest[0] === 'status' || rest[0] === 'finalize')) {
      info.resource = 'namespaces';
      info.name = info.namespace;
      info.subresource = rest[0];
      info.namespace = '';
      rest = [];
    }
  }
  if (!info.resource) {
    info.resource = rest[0] ?? '';
    info.name = rest[1] ?? '';
    info.subresource = rest[2] ?? '';
    info.rest = rest.slice(3);
  }
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
      info.verb = info.name ? 'get' : 'list';
      if (watchPrefix || isTrue(query.get('watch'))) info.verb = 'watch';
      break;
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
    default:
      info.verb = method.toLowerCase();
  }
  return info;
}

const paths = [
  '/',
  '',
  '/api',
  '/api/v1',
  '/apis',
  '/apis/apps',
  '/apis/apps/v1',
  '/version',
  '/healthz/etcd',
  '/openapi/v3/apis/apps/v1',
  '/api/v1/pods',
  '/api/v1/nodes/n1',
  '/api/v1/nodes/n1/status',
  '/api/v1/nodes/n1/proxy/metrics/cadvisor',
  '/api/v1/namespaces',
  '/api/v1/namespaces/default',
  '/api/v1/namespaces/default/status',
  '/api/v1/namespaces/default/finalize',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/default/pods/p1',
  '/api/v1/namespaces/default/pods/p1/binding',
  '/api/v1/namespaces/default/pods/p1/proxy/a/b%2Fc/d',
  '/api/v1/namespaces/default/services/https:s:443/proxy/x/',
  '/api/v1/watch/pods',
  '/api/v1/watch/namespaces/default/pods',
  '/api/v1/watch/namespaces/default/pods/p1',
  '/api/v1/watch',
  '/api/v1/watch/namespaces/x',
  '/apis/apps/v1/namespaces/default/deployments/d/scale',
  '/apis/events.k8s.io/v1/namespaces/default/events',
  '/apis/apps/v1/watch/namespaces/default/deployments',
  '//api//v1///namespaces//default/pods//p1/',
  '/api/v1/namespaces/de%66ault/pods/p%2F1',
  '/api/v1/namespaces/bad%zz/pods/p',
  '/%61pi/v1/pods',
  '/api/v1/namespaces/ns/status/extra',
  '/api/v1/namespaces/ns/namespaces/x',
];
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get', 'Post', 'delete', 'CONNECT'];
const queries = ['', 'watch=true', 'watch=1', 'watch=false', 'labelSelector=a%3Db'];

test('parseRequestInfo reads every path, method and watch query as the split-and-slice reference does', () => {
  let n = 0;
  for (const path of paths) {
    for (const method of methods) {
      for (const q of queries) {
        const query = new URLSearchParams(q);
        assert.deepEqual(parseRequestInfo(method, path, query), reference(method, path, query), `${method} ${path}?${q}`);
        n++;
      }
    }
  }
  assert.equal(n, paths.length * methods.length * queries.length);
});

test('the scheduler\'s binding request', () => {
  assert.deepEqual(parseRequestInfo('POST', '/api/v1/namespaces/ns1/pods/p-1/binding', new URLSearchParams()), {
    isResource: true,
    path: '/api/v1/namespaces/ns1/pods/p-1/binding',
    verb: 'create',
    group: '',
    version: 'v1',
    namespace: 'ns1',
    resource: 'pods',
    subresource: 'binding',
    name: 'p-1',
    rest: [],
  });
});
