// Chooses a storage backend from the --storage flag and opens it with its compactor running.
import { join } from 'node:path';
import type { Store } from './store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import { startCompactor, type CompactorOptions } from './compactor.js';

export interface OpenStoreOptions {
  /** Compactor settings; false disables automatic compaction. Default: the compactor defaults. */
  compactor?: CompactorOptions | false;
  log?: (msg: string, fields?: object) => void;
  /** sqlite only: fsync every commit (see SqliteStoreOptions.fsync). */
  fsync?: boolean;
}

/**
 * spec: "sqlite" (or "" — the default: DIR/state.db), "sqlite:/path/file.db", or
 * "etcd://host:port[,host:port…]" (not implemented yet). The returned store's close() also
 * stops its compactor.
 */
export async function openStore(spec: string, dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const s = spec.trim();
  if (s === '' || s === 'sqlite' || s.startsWith('sqlite:')) {
    const path = s.startsWith('sqlite:') && s.length > 'sqlite:'.length ? s.slice('sqlite:'.length) : join(dataDir, 'state.db');
    const store = openSqliteStore({ path, log: opts.log, fsync: opts.fsync });
    if (opts.compactor === false) return store;
    const compactor = startCompactor(store, { log: opts.log, ...opts.compactor });
    return withCloseHook(store, () => compactor.stop());
  }
  if (s.startsWith('etcd://')) {
    throw new Error(`storage backend etcd (${s}) is not implemented yet; use --storage sqlite`);
  }
  throw new Error(`unknown storage ${JSON.stringify(spec)}: expected "sqlite", "sqlite:/path/to/file.db" or "etcd://host:port[,host:port…]"`);
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
