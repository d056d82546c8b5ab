// The node flags k8ts runs with, read from bin/k8ts's shebang ("#!/usr/bin/env -S node FLAGS…"),
// so the processes a benchmark starts run as `k8ts` itself does.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

const binUrl = new URL('../../bin/k8ts', import.meta.url);

export function k8tsNodeFlags(): string[] {
  const first = readFileSync(binUrl, 'utf8').split('\n', 1)[0];
  const words = first.replace(/^#!/, '').trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0) throw new Error(`bin/k8ts: no node in its first line: ${first}`);
  return words.slice(node + 1);
}

/**
 * Runs this script again under the node flags k8ts runs with, unless it has them already: a load
 * generator sharing the cores with the processes it measures then collects its garbage as they
 * do, instead of adding V8's GC helper threads to the contention. Returns in the process that has
 * the flags; the other waits for it and exits with its status.
 */
export async function ensureK8tsNodeFlags(): Promise<void> {
  const missing = k8tsNodeFlags().filter((f) => !process.execArgv.includes(f));
  if (missing.length === 0) return;
  const child = spawn(process.execPath, [...missing, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  process.exit(code ?? 128 + (signal ? osConstants.signals[signal] : 0));
}
