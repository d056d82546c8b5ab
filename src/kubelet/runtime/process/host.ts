// Small host-side helpers of the process runtime: finding tools, reading /proc, the resolv.conf
// text, and the no-namespace fallback for mounts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../../util/log.js';
import { DEFAULT_PATH } from './executable.js';

/** The absolute path of a tool on the default PATH. */
export function which(name: string): string | undefined {
  for (const dir of DEFAULT_PATH.split(':')) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

export function resolvConf(dns: { servers: string[]; searches: string[]; options: string[] }): string {
  let out = '';
  if (dns.searches.length) out += `search ${dns.searches.join(' ')}\n`;
  for (const ns of dns.servers) out += `nameserver ${ns}\n`;
  if (dns.options.length) out += `options ${dns.options.join(' ')}\n`;
  return out;
}

export function lastLine(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines[lines.length - 1] ?? '';
  } catch {
    return '';
  }
}

const CLOCK_TICKS = 100;
const PAGE_SIZE = 4096;

export function procStats(pid: number): { cpuNs?: number; rss?: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]); // utime + stime
    const rssPages = Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return { cpuNs: (ticks * 1e9) / CLOCK_TICKS, rss: rssPages * PAGE_SIZE };
  } catch {
    return {};
  }
}

// Fallback without a mount namespace: make containerPath lead to hostPath when nothing is there.
export function exposeAsSymlink(hostPath: string, containerPath: string, log?: Logger): void {
  try {
    if (fs.existsSync(containerPath)) {
      if (fs.lstatSync(containerPath).isSymbolicLink() && fs.readlinkSync(containerPath) !== hostPath) {
        fs.rmSync(containerPath);
        fs.symlinkSync(hostPath, containerPath);
      }
      return;
    }
    fs.mkdirSync(path.dirname(containerPath), { recursive: true });
    fs.symlinkSync(hostPath, containerPath);
  } catch (err) {
    log?.warn({ err, hostPath, containerPath }, 'cannot expose a mount at its containerPath without a mount namespace');
  }
}
