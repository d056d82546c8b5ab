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
  const parts = pathSegments(path);
  const info: RequestInfo = {
    isResource: false,
    path,
    verb: lowerMethod(method),
    group: '',
    version: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    rest: [],
  };
  // Segments are read by index from here on: no array per step.
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
  // Old-style /watch/ prefix: /api/v1/watch/namespaces/ns/pods
  let watchPrefix = false;
  if (parts[i] === 'watch') {
    watchPrefix = true;
    i++;
  }
  // "namespaces/{ns}/{resource}..." but not the namespace object itself (/namespaces/{ns} or /namespaces/{ns}/status|finalize)
  if (parts[i] === 'namespaces' && parts.length - i >= 3) {
    info.namespace = parts[i + 1];
    i += 2;
    if (parts.length - i === 1 && (parts[i] === 'status' || parts[i] === 'finalize')) {
      // /api/v1/namespaces/{ns}/status is the namespace's own subresource
      info.resource = 'namespaces';
      info.name = info.namespace;
      info.subresource = parts[i];
      info.namespace = '';
    }
  }
  if (!info.resource) {
    info.resource = parts[i] ?? '';
    info.name = parts[i + 1] ?? '';
    info.subresource = parts[i + 2] ?? '';
    if (parts.length > i + 3) info.rest = parts.slice(i + 3);
  }
  info.verb = resourceVerb(method, info.name !== '', watchPrefix, query);
  return info;
}

/** The path's non-empty segments, percent-decoded (as split, filter and map would give them, in one array). */
function pathSegments(path: string): string[] {
  const parts = path.split('/');
  let n = 0;
  for (let k = 0; k < parts.length; k++) {
    const s = parts[k];
    if (s !== '') parts[n++] = safeDecode(s);
  }
  parts.length = n;
  return parts;
}

/** method.toLowerCase(), without a new string for the methods clients send. */
function lowerMethod(method: string): string {
  switch (method) {
    case 'GET':
      return 'get';
    case 'POST':
      return 'post';
    case 'PUT':
      return 'put';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

function resourceVerb(method: string, named: boolean, watchPrefix: boolean, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watchPrefix || isTrue(query.get('watch')) ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default: {
      // Methods are matched in upper case.
      const upper = method.toUpperCase();
      return upper === method ? method.toLowerCase() : resourceVerb(upper, named, watchPrefix, query);
    }
  }
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
