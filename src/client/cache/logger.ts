// The little of a logger the cache needs; a pino Logger (src/util/log.ts) fits it.
import { createLogger } from '../../util/log.js';

export interface CacheLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

let fallback: CacheLogger | undefined;

/** The process-wide logger for caches that were not given one (component "informer"). */
export function defaultCacheLogger(): CacheLogger {
  return (fallback ??= createLogger('informer'));
}
