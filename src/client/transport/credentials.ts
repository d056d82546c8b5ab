// The Authorization header for a ClientConfig. A token file is stat'ed on every request and
// re-read only when it changed (a kubelet-projected service account token is rotated by an
// atomic symlink swap, so inode, size or mtime move); the last good value is kept if a read
// fails mid-rotation, as client-go's cached token source does.
import { readFileSync, statSync } from 'node:fs';
import type { ClientConfig } from '../kubeconfig/client-config.js';

export type AuthHeaderSource = () => string | undefined;

export function authorizationSource(config: Pick<ClientConfig, 'token' | 'tokenFile' | 'username' | 'password'>): AuthHeaderSource {
  if (config.tokenFile) {
    const file = config.tokenFile;
    let stamp = '';
    let token = config.token;
    return () => {
      try {
        const st = statSync(file);
        const next = `${st.ino}:${st.size}:${st.mtimeMs}`;
        if (next !== stamp) {
          token = readFileSync(file, 'utf8').trim();
          stamp = next;
        }
      } catch (err) {
        if (token === undefined) throw new Error(`cannot read bearer token file ${file}: ${(err as Error).message}`, { cause: err });
      }
      return token ? `Bearer ${token}` : undefined;
    };
  }
  if (config.token) {
    const header = `Bearer ${config.token}`;
    return () => header;
  }
  if (config.username !== undefined || config.password !== undefined) {
    const header = `Basic ${Buffer.from(`${config.username ?? ''}:${config.password ?? ''}`).toString('base64')}`;
    return () => header;
  }
  return () => undefined;
}
