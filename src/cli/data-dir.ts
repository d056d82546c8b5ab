// The data dir: created 0700 when missing; it must be a directory we can write.
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { CliError, messageOf } from './errors.js';

export function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!statSync(dataDir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory' : code === 'EACCES' ? 'permission denied' : messageOf(err);
    throw new CliError(`cannot use data directory ${dataDir}: ${why}`, { cause: err });
  }
}
