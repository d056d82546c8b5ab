// Atomic projection of files into a volume directory (upstream pkg/volume/util/atomic_writer.go).
// The files live in a timestamped hidden directory; `..data` is a symlink to it and every
// user-visible top-level name is a symlink through `..data`. An update writes a new timestamped
// directory and swaps `..data` with one rename, so a reader sees the old set or the new set,
// never a mix; then stale names and the old directory go. Payload paths are relative, without
// `..` elements, and must not start with `..`.
//
// Every pod gets at least one such volume (the projected service-account token), so the writer is
// on the pod start path, where the agent's main thread is the bottleneck when many pods start:
// what creates an inode (mkdir, a file, a symlink; ~100 µs of kernel time on ext4) goes through
// fs.promises, so a pool thread pays for it; what creates nothing (readlink, chmod, rename,
// reading an old version, removing one) is synchronous, cheaper than a promise's round trip; and
// steps with nothing to do are skipped (no removal of a ..data_tmp or user-visible name that is
// not there, no mkdir for top-level files).
import * as fs from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** File mode (e.g. 0o644). */
  mode: number;
}

export type Payload = Map<string, FileProjection>;

const dataDirName = '..data';
const newDataDirName = '..data_tmp';

export function validatePath(p: string): void {
  if (p === '') throw new Error('invalid path: must not be empty');
  if (p.startsWith('/')) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > 4096) throw new Error(`invalid path: must be less than or equal to 4096 characters`);
  const parts = p.split('/');
  if (parts.some((x) => x.length > 255)) throw new Error('invalid path: filenames must be less than or equal to 255 characters');
  if (parts.includes('..')) throw new Error(`invalid path: must not contain '..': ${p}`);
  if (p.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${p}`);
}

/** Go's time format "..2006_01_02_15_04_05." for the timestamped directory's prefix. */
function tsPrefix(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

/** The target of the symlink at p; undefined when nothing is there, null when p is not a symlink. */
function readlinkAt(p: string): string | undefined | null {
  try {
    return fs.readlinkSync(p);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
  }
}

/** Every file under dir (relative paths), following no symlinks. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** True when the directory holds exactly the payload (same files, bytes and modes). */
function sameContent(dir: string, payload: Payload): boolean {
  let files: string[];
  try {
    files = listFiles(dir);
  } catch {
    return false;
  }
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const full = join(dir, f);
    const st = fs.statSync(full);
    if ((st.mode & 0o7777) !== (want.mode & 0o7777) || st.size !== want.data.length || !fs.readFileSync(full).equals(want.data)) return false;
  }
  return true;
}

const topLevel = (p: string) => p.split('/')[0]!;

/**
 * Writes the payload into targetDir atomically. Answers false when the directory already held
 * exactly this payload (nothing written).
 */
export async function writeAtomic(targetDir: string, input: Payload, now = new Date()): Promise<boolean> {
  const payload: Payload = new Map();
  for (const [p, f] of input) {
    validatePath(p);
    payload.set(normalize(p).split(sep).join('/'), f);
  }
  await fs.promises.mkdir(targetDir, { recursive: true });
  const dataLink = join(targetDir, dataDirName);
  const oldTsName = readlinkAt(dataLink);
  const oldTsDir = oldTsName ? join(targetDir, oldTsName) : undefined;
  if (oldTsDir && sameContent(oldTsDir, payload)) {
    await createUserVisible(targetDir, payload);
    return false;
  }
  let oldNames = new Set<string>();
  if (oldTsDir) {
    try {
      oldNames = new Set(listFiles(oldTsDir).map(topLevel));
    } catch {
      // an unreadable old version has no names to remove
    }
  }

  const tsDir = await fs.promises.mkdtemp(join(targetDir, tsPrefix(now)));
  fs.chmodSync(tsDir, 0o755);
  await Promise.all(
    [...payload].map(async ([p, f]) => {
      const full = join(tsDir, p);
      if (p.includes('/')) await fs.promises.mkdir(dirname(full), { recursive: true, mode: 0o755 });
      await fs.promises.writeFile(full, f.data);
      // The mode as given, whatever the umask (as upstream's chmod after the write).
      fs.chmodSync(full, f.mode & 0o7777);
    }),
  );

  // ..data_tmp is normally absent (a crash between its creation and the rename leaves one).
  const tmpLink = join(targetDir, newDataDirName);
  const tsName = tsDir.slice(targetDir.length + 1);
  try {
    await fs.promises.symlink(tsName, tmpLink);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    fs.rmSync(tmpLink, { force: true });
    await fs.promises.symlink(tsName, tmpLink);
  }
  fs.renameSync(tmpLink, dataLink);

  await createUserVisible(targetDir, payload);
  const newNames = new Set([...payload.keys()].map(topLevel));
  for (const name of oldNames) if (!newNames.has(name)) fs.rmSync(join(targetDir, name), { force: true, recursive: true });
  if (oldTsDir) fs.rmSync(oldTsDir, { recursive: true, force: true });
  return true;
}

/** A symlink name → ..data/name for every top-level name of the payload. */
async function createUserVisible(targetDir: string, payload: Payload): Promise<void> {
  await Promise.all(
    [...new Set([...payload.keys()].map(topLevel))].map(async (name) => {
      const link = join(targetDir, name);
      const want = join(dataDirName, name);
      const have = readlinkAt(link);
      if (have === want) return;
      if (have !== undefined) fs.rmSync(link, { force: true, recursive: true });
      await fs.promises.symlink(want, link);
    }),
  );
}
