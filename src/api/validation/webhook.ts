// Webhook client configs as k8s.io/apiserver/pkg/util/webhook/validation.go checks them: a URL
// (https only where required, a host, no user, query or fragment) or a service reference (name,
// namespace, port, and a path of DNS-subdomain segments). Used by CRD conversion webhooks; the
// admission webhook configurations word theirs the same way.
import { child, invalid, required, type Errors } from './field.js';
import { isDNS1123Subdomain, isValidPortNum } from './names.js';

const desiredForm = '; desired format: https://host[/path]';

interface ParsedURL {
  scheme: string;
  user?: string;
  host: string;
  rawQuery: string;
  fragment: string;
}

/** The parts of Go's url.Parse that webhook validation looks at, and its errors for what it refuses. */
function parseURL(raw: string): ParsedURL {
  const fail = (why: string) => new Error(`parse ${JSON.stringify(raw)}: ${why}`);
  if (/[\x00-\x1f\x7f]/.test(raw)) throw fail('net/url: invalid control character in URL');
  const hash = raw.indexOf('#');
  const fragment = hash >= 0 ? raw.slice(hash + 1) : '';
  let rest = hash >= 0 ? raw.slice(0, hash) : raw;
  let scheme = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (rest.startsWith(':')) throw fail('missing protocol scheme');
  if (m) {
    scheme = m[1].toLowerCase();
    rest = rest.slice(m[0].length);
  }
  const q = rest.indexOf('?');
  const rawQuery = q >= 0 ? rest.slice(q + 1) : '';
  if (q >= 0) rest = rest.slice(0, q);
  if (!scheme && !rest.startsWith('/') && rest.split('/')[0].includes(':')) throw fail('first path segment in URL cannot contain colon');
  if (!rest.startsWith('//')) return { scheme, host: '', rawQuery, fragment };
  const authority = rest.slice(2).split('/')[0];
  const at = authority.lastIndexOf('@');
  const user = at >= 0 ? authority.slice(0, at) : undefined;
  const host = at >= 0 ? authority.slice(at + 1) : authority;
  let portPart = '';
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) throw fail("missing ']' in host");
    portPart = host.slice(end + 1);
  } else if (host.includes(':')) {
    portPart = host.slice(host.lastIndexOf(':'));
  }
  if (portPart && !/^:[0-9]*$/.test(portPart)) throw fail(`invalid port ${JSON.stringify(portPart)} after host`);
  const bad = /[ "<>\\^`{|}]/.exec(host);
  if (bad) throw fail(`invalid character ${JSON.stringify(bad[0])} in host name`);
  return { scheme, user, host, rawQuery, fragment };
}

export function validateWebhookURL(field: string, url: string, forceHttps: boolean): Errors {
  let u: ParsedURL;
  try {
    u = parseURL(url);
  } catch (err) {
    return [required(field, `url must be a valid URL: ${(err as Error).message}${desiredForm}`)];
  }
  const errs: Errors = [];
  if (forceHttps && u.scheme !== 'https') errs.push(invalid(field, u.scheme, `'https' is the only allowed URL scheme${desiredForm}`));
  if (!u.host) errs.push(invalid(field, u.host, `host must be specified${desiredForm}`));
  if (u.user !== undefined) errs.push(invalid(field, u.user, 'user information is not permitted in the URL'));
  if (u.fragment) errs.push(invalid(field, u.fragment, 'fragments are not permitted in the URL'));
  if (u.rawQuery) errs.push(invalid(field, u.rawQuery, 'query parameters are not permitted in the URL'));
  return errs;
}

/** ValidateWebhookService(fldPath, namespace, name, path, port), parameters in upstream's order. */
export function validateWebhookService(field: string, namespace: string, name: string, path: string | undefined, port: number): Errors {
  const errs: Errors = [];
  if (!name) errs.push(required(child(field, 'name')));
  if (!namespace) errs.push(required(child(field, 'namespace')));
  const portErrs = isValidPortNum(port);
  if (portErrs.length) errs.push(invalid(child(field, 'port'), port, `port is not valid: ${portErrs.join(', ')}`));
  if (path === undefined || path === '' || path === '/') return errs;
  const at = child(field, 'path');
  if (path === '//') return [...errs, invalid(at, path, 'segment[0] may not be empty')];
  if (!path.startsWith('/')) errs.push(invalid(at, path, "must start with a '/'"));
  let check = path.slice(1);
  if (check.endsWith('/')) check = check.slice(0, -1);
  check.split('/').forEach((step, i) => {
    if (!step) {
      errs.push(invalid(at, path, `segment[${i}] may not be empty`));
      return;
    }
    for (const failure of isDNS1123Subdomain(step)) errs.push(invalid(at, path, `segment[${i}]: ${failure}`));
  });
  return errs;
}
