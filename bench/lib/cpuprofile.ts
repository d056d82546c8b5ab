// Summarises a V8 .cpuprofile (from node --cpu-prof): self time per function and inclusive time
// per function, so a benchmark can name the server's hot spots without a profiler UI.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  fn: string;
  /** file:line relative to the repository (or the node: / native name). */
  where: string;
  ms: number;
  percent: number;
}

const shortUrl = (url: string): string => {
  const i = url.indexOf('/work/main/');
  if (i >= 0) return url.slice(i + '/work/main/'.length);
  const nm = url.indexOf('node_modules/');
  return nm >= 0 ? url.slice(nm) : url || '(native)';
};

function frameKey(n: ProfileNode): { fn: string; where: string } {
  const fn = n.callFrame.functionName || '(anonymous)';
  const where = n.callFrame.url ? `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : '(native)';
  return { fn, where };
}

/** Self and inclusive time per function (by name and location), biggest first. */
export function summarizeProfile(path: string, top = 25): { totalMs: number; idleMs: number; self: HotSpot[]; inclusive: HotSpot[] } {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Time per node from the sample stream (more precise than hitCount × interval).
  const nodeMs = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    nodeMs.set(samples[i], (nodeMs.get(samples[i]) ?? 0) + dt);
  }
  const totalMs = (p.endTime - p.startTime) / 1000;
  const self = new Map<string, HotSpot>();
  const incl = new Map<string, HotSpot>();
  let idleMs = 0;
  for (const [id, ms] of nodeMs) {
    const n = byId.get(id);
    if (!n) continue;
    const k = frameKey(n);
    if (k.fn === '(idle)') idleMs += ms;
    const sk = `${k.fn} ${k.where}`;
    const s = self.get(sk) ?? { ...k, ms: 0, percent: 0 };
    s.ms += ms;
    self.set(sk, s);
    // Inclusive: count each distinct function once per stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cn = byId.get(cur);
      if (!cn) break;
      const ck = frameKey(cn);
      const key = `${ck.fn} ${ck.where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const e = incl.get(key) ?? { ...ck, ms: 0, percent: 0 };
      e.ms += ms;
      incl.set(key, e);
    }
  }
  const busy = totalMs - idleMs;
  const finish = (m: Map<string, HotSpot>) =>
    [...m.values()]
      .filter((h) => h.fn !== '(idle)' && h.fn !== '(root)')
      .map((h) => ({ ...h, ms: Math.round(h.ms), percent: Math.round((h.ms / busy) * 1000) / 10 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return { totalMs: Math.round(totalMs), idleMs: Math.round(idleMs), self: finish(self), inclusive: finish(incl) };
}

export function formatHotSpots(title: string, spots: HotSpot[]): string {
  const lines = spots.map((h) => `${String(h.ms).padStart(7)} ms ${h.percent.toFixed(1).padStart(5)}%  ${h.fn}  ${h.where}`);
  return `${title}\n${lines.join('\n')}`;
}
