// Prints a benchmark's figures as a table and writes bench/results/NAME.json with the medians,
// every run's value, the target next to each figure and the machine it ran on.
import { cpus, loadavg, release, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, round } from './stats.js';

export interface Target {
  op: '>=' | '<=';
  value: number;
}

export interface Metric {
  /** Names indented with spaces are details of the figure above them (shown indented in tables). */
  name: string;
  unit: string;
  /** The value of each run; the figure reported is their median. */
  runs: number[];
  target?: Target;
  note?: string;
}

export interface ReportedMetric {
  name: string;
  /** A detail of the headline figure before it. */
  detail: boolean;
  unit: string;
  median: number;
  runs: number[];
  target: Target | null;
  met: boolean | null;
  note?: string;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  kernel: string;
  memoryMiB: number;
  /** 1-minute load average when the figures were written: other work on the machine skews timings. */
  loadAvg1m: number;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    node: process.version,
    platform: process.platform,
    kernel: release(),
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAvg1m: round(loadavg()[0]),
  };
}

export function reportMetric(m: Metric): ReportedMetric {
  const med = round(median(m.runs));
  const met = m.target ? (m.target.op === '>=' ? med >= m.target.value : med <= m.target.value) : null;
  return { name: m.name.trim(), detail: m.name.startsWith(' '), unit: m.unit, median: med, runs: m.runs.map(round), target: m.target ?? null, met, ...(m.note ? { note: m.note } : {}) };
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

/** Prints the table and writes bench/results/<name>.json; returns the reported metrics. */
export function writeReport(name: string, title: string, metrics: Metric[], details: Record<string, unknown> = {}): ReportedMetric[] {
  const reported = metrics.map(reportMetric);
  const rows = [
    ['metric', 'median', 'unit', 'target', 'met', 'runs'],
    ...reported.map((m) => [
      m.detail ? `  ${m.name}` : m.name,
      String(m.median),
      m.unit,
      m.target ? `${m.target.op} ${m.target.value}` : '-',
      m.met === null ? '-' : m.met ? 'yes' : 'NO',
      m.runs.join(' / '),
    ]),
  ];
  console.log(`\n== ${title}\n${formatTable(rows)}`);
  const out = join(resultsDir, `${name}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const doc = { benchmark: name, title, date: new Date().toISOString(), machine: machineInfo(), metrics: reported, details };
  writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
  console.log(`(written to ${out})`);
  return reported;
}
