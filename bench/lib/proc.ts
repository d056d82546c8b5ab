// Reads a process's memory and CPU time from /proc (Linux), for the server process we spawned.
import { readFileSync } from 'node:fs';

/** VmRSS and VmHWM (peak) of pid in KiB. */
export function memoryKb(pid: number): { rssKb: number; hwmKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(m[1]);
  };
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

// USER_HZ is 100 on every Linux we run on; /proc/<pid>/stat counts CPU time in those ticks.
const ticksPerSecond = 100;

/** User + system CPU time of pid (all its threads) in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; fields after the closing parenthesis are fixed.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}
