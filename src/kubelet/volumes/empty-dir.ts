// emptyDir volumes: a directory under the pod's volume dir, world-writable as upstream makes it.
// medium Memory mounts a tmpfs there when the agent runs as root and the mount succeeds (size =
// sizeLimit when set), else it stays a plain directory (logged). Usage is measured as `du` does
// (allocated blocks, symlinks not followed) so the kubelet can evict a pod over its sizeLimit.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { EmptyDirVolumeSource } from 'kubernetes-types/core/v1.js';
import { toValue } from '../../api/validation/quantity.js';
import type { Logger } from '../../util/log.js';

const run = promisify(execFile);

/** Mount points at or below `dir` (from /proc/self/mounts), deepest first. */
export async function mountPointsUnder(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    // Mount points escape spaces as \040.
    const mp = line.split(' ')[1]?.replace(/\\040/g, ' ');
    if (mp && (mp === dir || mp.startsWith(dir + '/'))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

export async function setUpEmptyDir(dir: string, src: EmptyDirVolumeSource, log: Logger): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.chmod(dir, 0o777);
  if (src.medium !== 'Memory') return;
  if ((await mountPointsUnder(dir)).includes(dir)) return;
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    log.info({ dir }, 'emptyDir medium Memory is a plain directory: tmpfs needs root on Linux');
    return;
  }
  const opts = ['mode=1777'];
  if (src.sizeLimit !== undefined) opts.push(`size=${toValue(String(src.sizeLimit))}`);
  try {
    await run('mount', ['-t', 'tmpfs', '-o', opts.join(','), 'tmpfs', dir]);
  } catch (err) {
    log.warn({ dir, err: (err as Error).message }, 'could not mount tmpfs for emptyDir medium Memory; using a plain directory');
  }
}

/** Unmounts every mount below `dir` (deepest first), lazily so busy mounts do not block. */
export async function unmountAll(dir: string, log: Logger): Promise<void> {
  for (const mp of await mountPointsUnder(dir)) {
    try {
      await run('umount', ['-l', mp]);
    } catch (err) {
      log.warn({ mountPoint: mp, err: (err as Error).message }, 'could not unmount');
    }
  }
}

/** Bytes allocated under `dir` (du semantics: st_blocks · 512; hard links counted once). */
export async function diskUsage(dir: string): Promise<number> {
  const seen = new Set<string>();
  const walk = async (p: string): Promise<number> => {
    let st;
    try {
      st = await fs.lstat(p);
    } catch {
      return 0;
    }
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return 0;
    seen.add(id);
    let total = st.blocks !== undefined ? st.blocks * 512 : st.size;
    if (st.isDirectory()) {
      let names: string[] = [];
      try {
        names = await fs.readdir(p);
      } catch {
        // unreadable: count what we have
      }
      for (const n of names) total += await walk(join(p, n));
    }
    return total;
  };
  return walk(dir);
}
