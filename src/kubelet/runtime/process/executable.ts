// Which program a container of the process runtime runs (the rule the README documents):
//
//   - the executable is `command[0]` when the container sets `command`, and `args` follow it;
//   - otherwise the image name is the executable (image "sleep", args ["3600"] runs `sleep 3600`);
//     a tag or digest is ignored ("sleep:latest" runs sleep);
//   - a name without a slash is looked up on the container's PATH (its env PATH, else the default
//     PATH below, which is also what the container gets when it sets none); a relative path with a
//     slash is relative to the working directory; a path below a mount's containerPath is looked up
//     in the mount's hostPath (a script shipped in a configMap volume works).
//
// pullImage(image) resolves the image name this way with the default PATH; the kubelet turns a
// failure into ErrImagePull naming the executable.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mount } from '../types.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** "docker.io/library/sleep:1.0" → "sleep"; "/usr/bin/env" stays; "busybox@sha256:…" → "busybox". */
export function executableOfImage(image: string): string {
  let name = image.split('@')[0];
  if (name.startsWith('/') || name.startsWith('.')) return name;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) name = name.slice(0, colon);
  // A registry/repository reference names its last path element (docker.io/library/sleep → sleep).
  return name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
}

/** Where a path the container sees lives on the host (through the mount with the longest containerPath prefix). */
export function hostPathOf(p: string, mounts: Mount[]): string {
  let best: Mount | undefined;
  for (const m of mounts) {
    const cp = m.containerPath.replace(/\/+$/, '') || '/';
    if ((p === cp || p.startsWith(`${cp}/`)) && (!best || cp.length > best.containerPath.length)) best = m;
  }
  if (!best) return p;
  const cp = best.containerPath.replace(/\/+$/, '');
  return path.join(best.hostPath, p.slice(cp.length));
}

function isExecutableFile(p: string): boolean {
  try {
    // Most PATH entries miss: no exception for those (each would cost a stack trace).
    const st = fs.statSync(p, { throwIfNoEntry: false });
    if (!st?.isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface ResolveOptions {
  pathEnv?: string;
  cwd?: string;
  mounts?: Mount[];
}

/** The absolute path (as the container sees it) of the program, or undefined when there is none. */
export function resolveExecutable(name: string, opts: ResolveOptions = {}): string | undefined {
  const mounts = opts.mounts ?? [];
  if (name === '') return undefined;
  if (name.includes('/')) {
    const abs = path.isAbsolute(name) ? name : path.resolve(opts.cwd ?? '/', name);
    return isExecutableFile(hostPathOf(abs, mounts)) ? abs : undefined;
  }
  for (const dir of (opts.pathEnv ?? DEFAULT_PATH).split(':')) {
    if (!dir) continue;
    const candidate = path.join(path.isAbsolute(dir) ? dir : path.resolve(opts.cwd ?? '/', dir), name);
    if (isExecutableFile(hostPathOf(candidate, mounts))) return candidate;
  }
  return undefined;
}
