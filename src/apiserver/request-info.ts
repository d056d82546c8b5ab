// Parses a request path into what it addresses, as upstream's RequestInfoFactory does:
//   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
//   /apis/{group}/{version}/{resource}/{name}
// Non-resource paths (/version, /healthz, /openapi/v3, discovery roots) have isResource false.

export interface RequestInfo {
  isResource: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection (resource requests only). */
  verb: string;
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments after the subresource (e.g. proxy paths). */
  rest: string[];
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResource: false,
    path,
    verb: method.toLowerCase(),
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    rest: [],
  };
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
  // Old-style /watch/ prefix: /api/v1/watch/namespaces/ns/pods
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  // "namespaces/{ns}/{resource}..." but not the namespace object itself (/namespaces/{ns} or /namespaces/{ns}/status|finalize)
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    info.namespace = rest[1];
    rest = rest.slice(2);
    if (rest.length === 1 && (rest[0] === 'status' || rest[0] === 'finalize')) {
      // /api/v1/namespaces/{ns}/status is the namespace's own subresource
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

  const method_ = method.toUpperCase();
  switch (method_) {
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

/**
 * A request target split into its path and query as WHATWG URL parsing (`new URL(target, base)`)
 * gives them. Plain targets (the usual /api/... paths, no percent escapes, dot segments,
 * fragments or characters URL would escape or drop) are split directly; the rest go through URL.
 */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  if (plainPath.test(path) && !path.includes('/.') && (q < 0 || !unplainQuery.test(target))) {
    return { path, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
  }
  const url = new URL(target, 'https://localhost');
  return { path: url.pathname, query: url.searchParams };
}

// One leading slash (two would be a host), then characters URL keeps as they are in a path.
const plainPath = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@][A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?$/;
// In the query: a fragment, or control characters and spaces, which URL strips in places
// (tabs and newlines anywhere, the rest at the end). Other characters it escapes decode back
// to themselves.
const unplainQuery = /[#\x00-\x20]/;

export function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
