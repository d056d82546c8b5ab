// Reads a process's memory and CPU time from /proc (Linux), for the server process we spawned.
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * Scheduler statistics of pid's threads (/proc/PID/task/TID/schedstat, nanoseconds): the main
 * thread's time on a CPU and time runnable but waiting for one, and the other threads' CPU time
 * (V8's GC helpers, worker threads). On a machine with fewer cores than runnable threads the
 * wait is where a single-threaded process loses its throughput.
 */
export function threadTimes(pid: number): { mainCpuMs: number; mainWaitMs: number; othersCpuMs: number } {
  let mainCpuMs = 0;
  let mainWaitMs = 0;
  let othersCpuMs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let fields: string[];
    try {
      fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
    } catch {
      continue; // the thread exited meanwhile
    }
    const cpu = Number(fields[0]) / 1e6;
    if (Number(tid) === pid) {
      mainCpuMs = cpu;
      mainWaitMs = Number(fields[1]) / 1e6;
    } else othersCpuMs += cpu;
  }
  return { mainCpuMs, mainWaitMs, othersCpuMs };
}

/** The sum of a Prometheus metric's samples in a /metrics text: every label set, or those containing `labels` (e.g. 'result="error"'). */
export function metricSum(text: string, name: string, labels?: string): number {
  let sum = 0;
  for (const l of text.split('\n')) {
    if (!l.startsWith(name)) continue;
    const rest = l.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labels && !rest.includes(labels)) continue;
    sum += Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  return sum;
}
