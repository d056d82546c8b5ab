// Reading and writing PKI material in the data dir. Writes go to a temporary file that is
// renamed into place, so a crash never leaves half a key behind; keys are created 0600.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** The file's text, or undefined when it does not exist. Other errors (EACCES, EISDIR) throw. */
export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes atomically with the given mode (the mode of a fresh file, whatever was there before). */
export function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;
