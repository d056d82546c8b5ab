// CONNECT admission of the streaming and proxy subresources (upstream's ConnectResource handler):
// the connect options are read from the query — and a proxy's path from the URL after the
// subresource — as upstream's parameter codec reads them, and go through mutating and then
// validating admission before anything is connected. Options a mutating webhook changed are
// written back to the request, so the connection uses them, as upstream's Connect does.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/object.js';
import { copyJson } from '../../api/json-copy.js';
import { badRequest } from '../../api/status.js';
import type { ResourceRequest } from './resource.js';
import { writeContext } from './request-context.js';

/** The subresources upstream serves through a Connecter (pods/log is a plain GET). */
export const connectSubresources = new Set(['exec', 'attach', 'portforward', 'proxy']);

const streamFlags = ['stdin', 'stdout', 'stderr', 'tty'] as const;

export async function admitConnect(r: ResourceRequest): Promise<void> {
  const { entry, info } = r;
  const options = connectOptions(r);
  const before = copyJson(options);
  const ctx = writeContext(new URLSearchParams(), r.user, r.req.headers['user-agent']);
  await r.store.admitConnect(entry, info.subresource, info.namespace, info.name, options, ctx);
  if (!isDeepStrictEqual(options, before)) applyConnectOptions(r, options);
}

/** The v1 PodExecOptions, PodAttachOptions, PodPortForwardOptions or Pod/Node/ServiceProxyOptions of the request, as Go writes them. */
function connectOptions(r: ResourceRequest): KubeObject {
  const { info, query, entry } = r;
  const sub = entry.type.subresources.find((s) => s.name === info.subresource);
  const typeMeta = { kind: sub?.kind ?? '', apiVersion: sub?.group ? `${sub.group}/${sub.version}` : (sub?.version ?? 'v1') };
  switch (info.subresource) {
    case 'exec':
    case 'attach': {
      const out: KubeObject = { ...typeMeta };
      for (const flag of streamFlags) if (queryBool(query, flag)) out[flag] = true;
      const container = query.get('container');
      if (container) out.container = container;
      // PodExecOptions.command has no omitempty: Go writes null for none.
      if (info.subresource === 'exec') out.command = query.has('command') ? query.getAll('command') : null;
      return out;
    }
    case 'portforward': {
      const ports = queryPorts(query);
      return { ...typeMeta, ...(ports.length && { ports }) };
    }
    default: {
      const path = proxyPath(r);
      return { ...typeMeta, ...(path && { path }) };
    }
  }
}

/** Go's conversion of a query value to bool: absent, "0" and "false" (any case) are false, anything else true. */
function queryBool(query: URLSearchParams, key: string): boolean {
  const v = query.get(key);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/** Ports as upstream converts them: each value a comma-separated list of 16-bit numbers. */
function queryPorts(query: URLSearchParams): number[] {
  const out: number[] = [];
  for (const value of query.getAll('ports')) {
    for (const p of value.split(',')) {
      if (!/^\d+$/.test(p) || Number(p) > 65535) throw badRequest(`cannot convert to []int32: strconv.ParseUint: parsing ${JSON.stringify(p)}: ${/^\d+$/.test(p) ? 'value out of range' : 'invalid syntax'}`);
      out.push(Number(p));
    }
  }
  return out;
}

/** The path after the subresource, with a leading slash, and a trailing one when the request had it. */
function proxyPath(r: ResourceRequest): string {
  let p = r.info.rest.length ? `/${r.info.rest.join('/')}` : '';
  if (r.info.path.endsWith('/') && !p.endsWith('/')) p += '/';
  return p;
}

/** Writes changed options back where the connection reads them (the query, the proxied path). */
function applyConnectOptions(r: ResourceRequest, options: KubeObject): void {
  const { query, info } = r;
  switch (info.subresource) {
    case 'exec':
    case 'attach': {
      for (const flag of streamFlags) query.set(flag, String(options[flag] === true));
      if (typeof options.container === 'string' && options.container) query.set('container', options.container);
      else query.delete('container');
      if (info.subresource === 'exec') {
        query.delete('command');
        for (const c of Array.isArray(options.command) ? options.command : []) query.append('command', String(c));
      }
      return;
    }
    case 'portforward':
      query.delete('ports');
      for (const p of Array.isArray(options.ports) ? options.ports : []) query.append('ports', String(p));
      return;
    default:
      info.rest = (typeof options.path === 'string' ? options.path : '').split('/').filter((s) => s !== '');
  }
}
