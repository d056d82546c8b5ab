// The node flags k8ts runs with, read from bin/k8ts's shebang ("#!/usr/bin/env -S node FLAGS…"),
// so the processes a benchmark starts run as `k8ts` itself does.
import { readFileSync } from 'node:fs';

const binUrl = new URL('../../bin/k8ts', import.meta.url);

export function k8tsNodeFlags(): string[] {
  const first = readFileSync(binUrl, 'utf8').split('\n', 1)[0];
  const words = first.replace(/^#!/, '').trim().split(/\s+/);
  const node = words.indexOf('node');
  if (node < 0) throw new Error(`bin/k8ts: no node in its first line: ${first}`);
  return words.slice(node + 1);
}
