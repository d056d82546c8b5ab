// Reading kubeconfig files (clientcmd v1 Config) and merging several the way kubectl does:
// - KUBECONFIG lists files separated by ':' (';' on Windows); empty entries and repeats are
//   ignored; files that do not exist are skipped (an explicit --kubeconfig must exist).
// - For clusters, users, contexts and extensions the first file that defines a name wins, and
//   its entry is taken whole (fields are never mixed across files).
// - current-context comes from the first file that sets it.
// - A name defined twice in one file is an error (as clientcmd's list→map conversion).
// - Relative file paths in an entry are relative to the file that defined it; the entry
//   remembers its origin so the paths can be resolved after merging.
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

export interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  extensions?: unknown[];
}

export interface KubeconfigUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  as?: string;
  'as-uid'?: string;
  'as-groups'?: string[];
  'as-user-extra'?: Record<string, string[]>;
  exec?: unknown;
  'auth-provider'?: unknown;
  extensions?: unknown[];
}

export interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
  extensions?: unknown[];
}

/** A named entry and the file it came from (for resolving its relative paths). */
export interface Named<T> {
  name: string;
  value: T;
  origin: string;
}

export interface Kubeconfig {
  clusters: Map<string, Named<KubeconfigCluster>>;
  users: Map<string, Named<KubeconfigUser>>;
  contexts: Map<string, Named<KubeconfigContext>>;
  currentContext: string;
  /** The files that were actually read, in precedence order. */
  files: string[];
}

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

/** The file list KUBECONFIG names, in precedence order, without blanks and repeats. */
export function kubeconfigPathsFromEnv(value: string | undefined): string[] {
  const seen = new Set<string>();
  for (const p of (value ?? '').split(delimiter)) if (p.trim()) seen.add(p);
  return [...seen];
}

function asObject(v: unknown, what: string, file: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new KubeconfigError(`error loading config file "${file}": ${what} must be a mapping`);
  return v as Record<string, unknown>;
}

function namedList<T>(v: unknown, field: string, key: string, file: string): Map<string, Named<T>> {
  const out = new Map<string, Named<T>>();
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw new KubeconfigError(`error loading config file "${file}": ${field} must be a list`);
  for (const item of v) {
    const entry = asObject(item, `an entry of ${field}`, file);
    const name = entry.name;
    if (typeof name !== 'string') throw new KubeconfigError(`error loading config file "${file}": an entry of ${field} has no name`);
    if (out.has(name)) throw new KubeconfigError(`error loading config file "${file}": duplicate name "${name}" in ${field}`);
    out.set(name, { name, value: asObject(entry[key], `${field}[${name}].${key}`, file) as T, origin: file });
  }
  return out;
}

/** Parses one kubeconfig file's text. */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new KubeconfigError(`error loading config file "${file}": ${(err as Error).message}`, { cause: err });
  }
  const root = asObject(doc, 'the document', file);
  const current = root['current-context'];
  return {
    clusters: namedList<KubeconfigCluster>(root.clusters, 'clusters', 'cluster', file),
    users: namedList<KubeconfigUser>(root.users, 'users', 'user', file),
    contexts: namedList<KubeconfigContext>(root.contexts, 'contexts', 'context', file),
    currentContext: typeof current === 'string' ? current : '',
    files: [file],
  };
}

export function readKubeconfigFile(file: string): Kubeconfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`error loading config file "${file}": ${(err as Error).message}`, { cause: err });
  }
  return parseKubeconfig(text, resolve(file));
}

/** Merges parsed files in precedence order (first wins per name; first current-context wins). */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const merged: Kubeconfig = { clusters: new Map(), users: new Map(), contexts: new Map(), currentContext: '', files: [] };
  for (const c of configs) {
    for (const [k, v] of c.clusters) if (!merged.clusters.has(k)) merged.clusters.set(k, v);
    for (const [k, v] of c.users) if (!merged.users.has(k)) merged.users.set(k, v);
    for (const [k, v] of c.contexts) if (!merged.contexts.has(k)) merged.contexts.set(k, v);
    if (!merged.currentContext && c.currentContext) merged.currentContext = c.currentContext;
    merged.files.push(...c.files);
  }
  return merged;
}

/** Loads and merges files; missing files are skipped unless `mustExist`. */
export function loadKubeconfigFiles(files: string[], opts: { mustExist?: boolean } = {}): Kubeconfig {
  const configs: Kubeconfig[] = [];
  for (const f of files) {
    if (!opts.mustExist && !existsSync(f)) continue;
    configs.push(readKubeconfigFile(f));
  }
  return mergeKubeconfigs(configs);
}

/** A path from an entry, resolved against the directory of the file that defined the entry. */
export function resolvePath(path: string, origin: string): string {
  return isAbsolute(path) ? path : resolve(dirname(origin), path);
}

/**
 * The merged config as kubectl's `config view --merge --flatten -o json` prints it: lists
 * sorted by name, certificate and key files embedded as base64 -data.
 */
export function flattenKubeconfig(config: Kubeconfig): Record<string, unknown> {
  const embed = (path: string, origin: string) => readFileSync(resolvePath(path, origin)).toString('base64');
  const sorted = <T>(m: Map<string, Named<T>>) => [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const clusters = sorted(config.clusters).map(({ name, value, origin }) => {
    const cluster: KubeconfigCluster = { ...value };
    if (cluster['certificate-authority']) {
      cluster['certificate-authority-data'] ??= embed(cluster['certificate-authority'], origin);
      delete cluster['certificate-authority'];
    }
    return { name, cluster };
  });
  const users = sorted(config.users).map(({ name, value, origin }) => {
    const user: KubeconfigUser = { ...value };
    if (user['client-certificate']) {
      user['client-certificate-data'] ??= embed(user['client-certificate'], origin);
      delete user['client-certificate'];
    }
    if (user['client-key']) {
      user['client-key-data'] ??= embed(user['client-key'], origin);
      delete user['client-key'];
    }
    return { name, user };
  });
  const contexts = sorted(config.contexts).map(({ name, value }) => ({ name, context: { ...value } }));
  return {
    kind: 'Config',
    apiVersion: 'v1',
    clusters,
    users,
    contexts,
    'current-context': config.currentContext,
  };
}
