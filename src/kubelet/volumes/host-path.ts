// hostPath type checks (upstream pkg/volume/hostpath checkType): *OrCreate types create what is
// missing (a directory 0755 with parents, an empty file 0644), the others require the path to be
// of that type. An empty type checks nothing.
import { promises as fs, type Stats } from 'node:fs';

async function statOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.stat(p);
  } catch {
    return undefined;
  }
}

const checks: Record<string, [test: (st: Stats) => boolean, what: string]> = {
  Directory: [(st) => st.isDirectory(), 'a directory'],
  File: [(st) => st.isFile(), 'a file'],
  Socket: [(st) => st.isSocket(), 'a socket file'],
  CharDevice: [(st) => st.isCharacterDevice(), 'a character device'],
  BlockDevice: [(st) => st.isBlockDevice(), 'a block device'],
};

export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  if (!type) return;
  const st = await statOrUndefined(path);
  if (type === 'DirectoryOrCreate' && !st) {
    await fs.mkdir(path, { recursive: true, mode: 0o755 });
    return;
  }
  if (type === 'FileOrCreate' && !st) {
    await (await fs.open(path, 'a', 0o644)).close();
    return;
  }
  const check = checks[type.replace(/OrCreate$/, '')];
  if (!check || (type.endsWith('OrCreate') && !['DirectoryOrCreate', 'FileOrCreate'].includes(type))) throw new Error(`${type} is an invalid volume type`);
  if (!st || !check[0](st)) throw new Error(`hostPath type check failed: ${path} is not ${check[1]}`);
}
