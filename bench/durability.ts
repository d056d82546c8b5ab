// Issue 2's durability number: a write storm against `k8ts server` with kill -9 at random points,
// 20 rounds (test/durability/storm.ts does the work; kill9.test.ts runs 3 quick rounds).
// Prints one row per round and writes bench/results/durability.json.
// Usage: node --import tsx bench/durability.ts [rounds=20] [writers=8]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runStorm, type RoundReport } from '../test/durability/storm.js';

const rounds = Number(process.argv[2] ?? process.env.DURABILITY_ROUNDS ?? 20);
const writers = Number(process.argv[3] ?? process.env.DURABILITY_WRITERS ?? 8);
const options = { rounds, writers, namesPerWriter: 16, killAfterAcks: [100, 4000] as [number, number] };

const started = Date.now();
const report = await runStorm({ ...options, log: (line) => process.stderr.write(`${line}\n`) });
const seconds = (Date.now() - started) / 1000;

const cols: [string, (r: RoundReport) => string | number][] = [
  ['round', (r) => r.round],
  ['acked', (r) => r.acked],
  ['refused', (r) => r.refused],
  ['unanswered', (r) => r.unanswered],
  ['applied', (r) => r.unansweredApplied],
  ['verified', (r) => r.verified],
  ['replayed', (r) => r.replayed],
  ['reconnects', (r) => r.watchReconnects],
  ['watch dropped', (r) => (r.watcherDropped ? 'yes' : 'no')],
  ['startup kill ms', (r) => r.startupKillMs ?? '-'],
  ['rev before', (r) => r.revisionBeforeKill],
  ['rev after', (r) => r.revisionAfterRestart],
  ['ready ms', (r) => r.restartToReadyMs],
  ['problems', (r) => r.problems.length],
];
const row = (cells: (string | number)[]) => cells.map((c, i) => String(c).padStart(Math.max(cols[i][0].length, 6))).join('  ');
console.log(row(cols.map(([h]) => h)));
for (const r of report.rounds) console.log(row(cols.map(([, f]) => f(r))));

const sum = (f: (r: RoundReport) => number) => report.rounds.reduce((a, r) => a + f(r), 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : 0;
};
const summary = {
  rounds: report.rounds.length,
  acked: sum((r) => r.acked),
  refused: sum((r) => r.refused),
  unanswered: sum((r) => r.unanswered),
  unansweredApplied: sum((r) => r.unansweredApplied),
  verified: sum((r) => r.verified),
  replayed: sum((r) => r.replayed),
  medianRestartToReadyMs: median(report.rounds.map((r) => r.restartToReadyMs)),
  firstReadyMs: report.firstReadyMs,
  final: report.final,
  problems: report.problems.length,
  seconds: Math.round(seconds),
};
console.log(
  `\n${summary.rounds} kills: ${summary.acked} writes acknowledged, ${summary.verified} verified, ${summary.refused} refused, ` +
    `${summary.unanswered} unanswered (${summary.unansweredApplied} applied), ${summary.replayed} watch events replayed; ` +
    `median restart-to-ready ${summary.medianRestartToReadyMs} ms; ${summary.problems} problems`,
);
for (const p of report.problems.slice(0, 50)) console.log(`  ${p}`);

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'durability.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ options, summary, rounds: report.rounds, problems: report.problems }, null, 2) + '\n');
process.exitCode = report.problems.length ? 1 : 0;
