// Kubernetes' URL library (k8s.io/apiserver/pkg/cel/library/urls.go): url(string) and isURL(string)
// accept what Go's url.ParseRequestURI accepts (an absolute URI or an absolute path); the URL's parts
// are read as Go's url.Parse splits them.
import type { Environment } from '@marcbachmann/cel-js';
import { libraryError } from '../library.js';
import { escapedPath, hostname, parseRequestURI, parseURL, port, query, urlKey, type GoURL } from './go-url.js';
import { defineType, parses } from './runtime.js';

class URLValue {
  constructor(readonly url: GoURL) {}
}

const URL_TYPE = 'kubernetes.URL';

function toURL(s: string): URLValue {
  try {
    parseRequestURI(s);
    // ParseRequestURI keeps a fragment in the path or query: Parse splits it off.
    return new URLValue(parseURL(s));
  } catch (err) {
    throw libraryError(`URL parse error during conversion from string: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const isURL = parses(parseRequestURI);

export function registerURLs(env: Environment): void {
  defineType(env, URL_TYPE, URLValue);
  env.registerFunction(`url(string): ${URL_TYPE}`, toURL);
  env.registerFunction('isURL(string): bool', isURL);
  env.registerFunction(`${URL_TYPE}.getScheme(): string`, (u: URLValue) => u.url.scheme);
  env.registerFunction(`${URL_TYPE}.getHost(): string`, (u: URLValue) => u.url.host);
  env.registerFunction(`${URL_TYPE}.getHostname(): string`, (u: URLValue) => hostname(u.url));
  env.registerFunction(`${URL_TYPE}.getPort(): string`, (u: URLValue) => port(u.url));
  env.registerFunction(`${URL_TYPE}.getEscapedPath(): string`, (u: URLValue) => escapedPath(u.url));
  env.registerFunction(`${URL_TYPE}.getQuery(): map<string, list<string>>`, (u: URLValue) => query(u.url));
  env.registerOperator(`${URL_TYPE} == ${URL_TYPE}`, (a: URLValue, b: URLValue) => urlKey(a.url) === urlKey(b.url));
}
