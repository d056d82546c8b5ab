// Go's net/url as upstream's URL library uses it: ParseRequestURI decides whether a string is a
// URL (an absolute URI or an absolute path, no fragment handling) and Parse splits it; the parts
// are then read back as Go's URL methods do (Hostname, Port, EscapedPath, Query). Go works on
// bytes: non-ASCII characters are treated as its bytes ≥ 0x80 are, and %-escapes decode as UTF-8.
import { goQuote } from './go-quote.js';

export interface GoURL {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

type Mode = 'path' | 'host' | 'zone' | 'userPassword' | 'queryComponent' | 'fragment';

export class URLError extends Error {}

const isAlnum = (c: string) => /^[A-Za-z0-9]$/.test(c);
const isHex = (c: string | undefined) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);

/** url.shouldEscape, for ASCII characters. */
function shouldEscape(c: string, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  if ((mode === 'host' || mode === 'zone') && "!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ('-_.~'.includes(c)) return false;
  if ('$&+,/:;=?@'.includes(c)) {
    switch (mode) {
      case 'path':
        return c === '?';
      case 'userPassword':
        return '@/?:'.includes(c);
      case 'queryComponent':
        return true;
      case 'fragment':
        return false;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(c)) return false;
  return true;
}

/** url.unescape: decodes %XX (UTF-8), '+' as space in query components; Go's errors otherwise. */
function unescape(s: string, mode: Mode): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i];
    if (c === '%') {
      if (i + 2 >= s.length || !isHex(s[i + 1]) || !isHex(s[i + 2])) throw new URLError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      const v = parseInt(s.slice(i + 1, i + 3), 16);
      if (mode === 'host' && v < 0x80 && s.slice(i, i + 3) !== '%25') throw new URLError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      if (mode === 'zone' && s.slice(i, i + 3) !== '%25' && v !== 0x20 && (v >= 0x80 || shouldEscape(String.fromCharCode(v), 'host'))) {
        throw new URLError(`invalid URL escape ${goQuote(s.slice(i, i + 3))}`);
      }
      bytes.push(v);
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c.charCodeAt(0) < 0x80 && shouldEscape(c, mode)) throw new URLError(`invalid character ${goQuote(c)} in host name`);
    if (c === '+' && mode === 'queryComponent') bytes.push(0x20);
    else bytes.push(...Buffer.from(c, 'utf8'));
    i++;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** url.escape: %XX for every byte that should be escaped in this part (upper-case hex). */
function escape(s: string, mode: Mode): string {
  let out = '';
  for (const ch of s) {
    if (ch.charCodeAt(0) < 0x80 && !shouldEscape(ch, mode)) out += ch;
    else if (ch === ' ' && mode === 'queryComponent') out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new URLError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new URLError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new URLError(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, i), 'zone') + unescape(host.slice(i), 'host');
  } else {
    const i = host.lastIndexOf(':');
    if (i >= 0 && !validOptionalPort(host.slice(i))) throw new URLError(`invalid port ${goQuote(host.slice(i))} after host`);
  }
  return unescape(host, 'host');
}

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw new URLError('net/url: invalid userinfo');
    const colon = userinfo.indexOf(':');
    unescape(colon < 0 ? userinfo : userinfo.slice(0, colon), 'userPassword');
    if (colon >= 0) unescape(userinfo.slice(colon + 1), 'userPassword');
  }
  return host;
}

/** url.parse: the URL without its fragment, `viaRequest` for ParseRequestURI's stricter rules. */
function parse(raw: string, viaRequest: boolean): GoURL {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new URLError('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new URLError('empty url');
  const url: GoURL = { scheme: '', opaque: '', host: '', path: '', rawPath: '', rawQuery: '', fragment: '' };
  if (raw === '*') return { ...url, path: '*' };
  let [scheme, rest] = getScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { ...url, opaque: rest };
    if (viaRequest) throw new URLError('invalid URI for request');
    if (rest.split('/', 1)[0].includes(':')) throw new URLError('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    url.host = parseAuthority(authority);
  }
  url.path = unescape(rest, 'path');
  url.rawPath = escape(url.path, 'path') === rest ? '' : rest;
  return url;
}

const fail = (op: string, raw: string, err: unknown): never => {
  if (err instanceof URLError) throw new URLError(`${op} ${goQuote(raw)}: ${err.message}`);
  throw err;
};

/** url.ParseRequestURI; throws URLError with Go's message. */
export function parseRequestURI(raw: string): GoURL {
  try {
    return parse(raw, true);
  } catch (err) {
    return fail('parse', raw, err);
  }
}

/** url.Parse; throws URLError with Go's message. */
export function parseURL(raw: string): GoURL {
  const hash = raw.indexOf('#');
  const base = hash < 0 ? raw : raw.slice(0, hash);
  let url: GoURL;
  try {
    url = parse(base, false);
  } catch (err) {
    return fail('parse', base, err);
  }
  if (hash >= 0) {
    try {
      url.fragment = unescape(raw.slice(hash + 1), 'fragment');
    } catch (err) {
      return fail('parse', raw, err);
    }
  }
  return url;
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

export const hostname = (u: GoURL): string => splitHostPort(u.host)[0];
export const port = (u: GoURL): string => splitHostPort(u.host)[1];

/** URL.EscapedPath: RawPath when it is a valid encoding of Path, else Path escaped. */
export function escapedPath(u: GoURL): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath)) {
    try {
      if (unescape(u.rawPath, 'path') === u.path) return u.rawPath;
    } catch {
      // Not a valid encoding after all: escape Path instead.
    }
  }
  return u.path === '*' ? '*' : escape(u.path, 'path');
}

function validEncoded(s: string): boolean {
  for (const c of s) {
    if ("!$&'()*+,;=:@[]%".includes(c)) continue;
    if (c.charCodeAt(0) >= 0x80 || shouldEscape(c, 'path')) return false;
  }
  return true;
}

/** URL.Query: values by key, in the order they come; pairs that do not decode are dropped. */
export function query(u: GoURL): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of u.rawQuery === '' ? [] : u.rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = unescape(eq < 0 ? pair : pair.slice(0, eq), 'queryComponent');
      value = eq < 0 ? '' : unescape(pair.slice(eq + 1), 'queryComponent');
    } catch {
      continue;
    }
    const values = out.get(key);
    if (values) values.push(value);
    else out.set(key, [value]);
  }
  return out;
}

/** URL.String's parts, enough to tell two URLs apart (upstream compares URLs by String()). */
export const urlKey = (u: GoURL): string => JSON.stringify([u.scheme, u.opaque, u.host, escapedPath(u), u.rawQuery, u.fragment]);
