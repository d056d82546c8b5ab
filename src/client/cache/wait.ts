// waitForCacheSync for several caches at once (shared_informer.go's WaitForCacheSync).

export interface Syncable {
  hasSynced(): boolean;
  whenSynced?(): Promise<void>;
  waitForCacheSync?(signal?: AbortSignal): Promise<boolean>;
}

/** True when all have synced; false if `signal` aborts first. */
export async function waitForCacheSync(signal: AbortSignal | undefined, ...caches: Syncable[]): Promise<boolean> {
  const aborted = new Promise<void>((resolve) => {
    if (!signal) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const each = caches.map(async (c) => {
    if (c.hasSynced()) return;
    if (c.waitForCacheSync) await c.waitForCacheSync(signal);
    else if (c.whenSynced) await c.whenSynced();
    else throw new Error('waitForCacheSync: a cache offers neither whenSynced nor waitForCacheSync');
  });
  await Promise.race([Promise.all(each), aborted]);
  return caches.every((c) => c.hasSynced());
}
