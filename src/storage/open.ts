// Chooses a storage backend from the --storage flag and opens it with its compactor running.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { openEtcdStore } from './etcd/etcd-store.js';
import { startCompactor, type CompactorOptions } from './compactor.js';

export interface OpenStoreOptions {
  /** Compactor settings; false disables automatic compaction. Default: the compactor defaults. */
  compactor?: CompactorOptions | false;
  log?: (msg: string, fields?: object) => void;
  /** sqlite only: fsync every commit (see SqliteStoreOptions.fsync). */
  fsync?: boolean;
  /** etcd only: TLS files (kube-apiserver's --etcd-cafile, --etcd-certfile, --etcd-keyfile); with a CA the members are reached over https. */
  etcdTLS?: EtcdTLSFiles;
}

export interface EtcdTLSFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * spec: "sqlite" (or "" — the default: DIR/state.db), "sqlite:/path/file.db", or
 * "etcd://host:port[,host:port…]" (the client URLs of an etcd cluster's members, over plain
 * HTTP). The returned store's close() also stops its compactor.
 */
export async function openStore(spec: string, dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const s = spec.trim();
  const tlsFiles = opts.etcdTLS && (opts.etcdTLS.caFile || opts.etcdTLS.certFile || opts.etcdTLS.keyFile) ? opts.etcdTLS : undefined;
  if (tlsFiles && !s.startsWith('etcd://')) throw new Error('--etcd-cafile, --etcd-certfile and --etcd-keyfile apply only to --storage etcd://…');
  if (s === '' || s === 'sqlite' || s.startsWith('sqlite:')) {
    const path = s.startsWith('sqlite:') && s.length > 'sqlite:'.length ? s.slice('sqlite:'.length) : join(dataDir, 'state.db');
    return withCompactor(openSqliteStore({ path, log: opts.log, fsync: opts.fsync }), opts);
  }
  if (s.startsWith('etcd://')) {
    const tls = tlsFiles && readEtcdTLS(tlsFiles);
    const endpoints = etcdEndpoints(s, tls ? 'https' : 'http');
    const store = await openEtcdStore({ endpoints, tls, log: opts.log });
    try {
      // The first request tells an unreachable cluster apart here, not at the API server's first read.
      const revision = await store.currentRevision();
      opts.log?.('etcd store opened', { endpoints, revision });
    } catch (err) {
      await store.close();
      throw new Error(`cannot reach etcd at ${endpoints.join(', ')}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return withCompactor(store, opts);
  }
  throw new Error(`unknown storage ${JSON.stringify(spec)}: expected "sqlite", "sqlite:/path/to/file.db" or "etcd://host:port[,host:port…]"`);
}

/** The TLS files' contents; a client certificate needs its key and both need the CA. */
function readEtcdTLS(files: EtcdTLSFiles): { ca: Buffer; cert?: Buffer; key?: Buffer } {
  if (!files.caFile) throw new Error('--etcd-certfile and --etcd-keyfile need --etcd-cafile (the CA that signed the etcd members\' certificates)');
  if (!files.certFile !== !files.keyFile) throw new Error('--etcd-certfile and --etcd-keyfile go together (a client certificate and its key)');
  const read = (flag: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${flag} ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  return {
    ca: read('--etcd-cafile', files.caFile),
    cert: files.certFile ? read('--etcd-certfile', files.certFile) : undefined,
    key: files.keyFile ? read('--etcd-keyfile', files.keyFile) : undefined,
  };
}

/** "etcd://a:2379,b:2379" → ["http://a:2379", "http://b:2379"] (https:// for TLS). */
export function etcdEndpoints(spec: string, scheme: 'http' | 'https' = 'http'): string[] {
  const hosts = spec.slice('etcd://'.length).split(',').map((h) => h.trim());
  for (const h of hosts) {
    if (!/^[^\s/:,]+:\d+$/.test(h) && !/^\[[0-9a-fA-F:.]+\]:\d+$/.test(h)) throw new Error(`storage ${JSON.stringify(spec)}: "${h}" is not host:port`);
  }
  return hosts.map((h) => `${scheme}://${h}`);
}

/** The store with its compactor running (unless opts.compactor is false), stopped when the store is closed. */
function withCompactor(store: Store, opts: OpenStoreOptions): Store {
  if (opts.compactor === false) return store;
  const compactor = startCompactor(store, { log: opts.log, ...opts.compactor });
  return withCloseHook(store, () => compactor.stop());
}

/** The same store, with beforeClose run first when it is closed. */
function withCloseHook<S extends Store>(store: S, beforeClose: () => void): S {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'close') {
        return async () => {
          beforeClose();
          await target.close();
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
