// Atomic projection of files into a volume directory (upstream pkg/volume/util/atomic_writer.go).
// The files live in a timestamped hidden directory; `..data` is a symlink to it and every
// user-visible top-level name is a symlink through `..data`. An update writes a new timestamped
// directory and swaps `..data` with one rename, so a reader sees the old set or the new set,
// never a mix; then stale names and the old directory go. Payload paths are relative, without
// `..` elements, and must not start with `..`.
import { promises as fs } from 'node:fs';
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

async function readlinkOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fs.readlink(p);
  } catch {
    return undefined;
  }
}

/** Every file under dir (relative paths), following no symlinks. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** True when the directory holds exactly the payload (same files, bytes and modes). */
async function sameContent(dir: string, payload: Payload): Promise<boolean> {
  let files: string[];
  try {
    files = await listFiles(dir);
  } catch {
    return false;
  }
  if (files.length !== payload.size) return false;
  for (const f of files) {
    const want = payload.get(f);
    if (!want) return false;
    const full = join(dir, f);
    const [st, data] = await Promise.all([fs.stat(full), fs.readFile(full)]);
    if ((st.mode & 0o7777) !== (want.mode & 0o7777) || !data.equals(want.data)) return false;
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
  await fs.mkdir(targetDir, { recursive: true });
  const dataLink = join(targetDir, dataDirName);
  const oldTsName = await readlinkOrUndefined(dataLink);
  const oldTsDir = oldTsName ? join(targetDir, oldTsName) : undefined;
  if (oldTsDir && (await sameContent(oldTsDir, payload))) {
    await createUserVisible(targetDir, payload);
    return false;
  }
  const oldNames = oldTsDir ? new Set((await listFiles(oldTsDir).catch(() => [])).map(topLevel)) : new Set<string>();

  const tsDir = await fs.mkdtemp(join(targetDir, tsPrefix(now)));
  await fs.chmod(tsDir, 0o755);
  for (const [p, f] of payload) {
    const full = join(tsDir, p);
    await fs.mkdir(dirname(full), { recursive: true, mode: 0o755 });
    await fs.writeFile(full, f.data);
    await fs.chmod(full, f.mode & 0o7777);
  }

  const tmpLink = join(targetDir, newDataDirName);
  await fs.rm(tmpLink, { force: true });
  await fs.symlink(tsDir.slice(targetDir.length + 1), tmpLink);
  await fs.rename(tmpLink, dataLink);

  await createUserVisible(targetDir, payload);
  const newNames = new Set([...payload.keys()].map(topLevel));
  for (const name of oldNames) if (!newNames.has(name)) await fs.rm(join(targetDir, name), { force: true, recursive: true });
  if (oldTsDir) await fs.rm(oldTsDir, { recursive: true, force: true });
  return true;
}

/** A symlink name → ..data/name for every top-level name of the payload. */
async function createUserVisible(targetDir: string, payload: Payload): Promise<void> {
  for (const name of new Set([...payload.keys()].map(topLevel))) {
    const link = join(targetDir, name);
    const want = join(dataDirName, name);
    const have = await readlinkOrUndefined(link);
    if (have === want) continue;
    await fs.rm(link, { force: true, recursive: true });
    await fs.symlink(want, link);
  }
}
