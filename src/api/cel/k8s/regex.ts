// Kubernetes' regex library (k8s.io/apiserver/pkg/cel/library/regex.go): string.find(regex) and
// string.findAll(regex[, limit]), with Go's FindString / FindAllString semantics: leftmost-first
// matches, no overlap, and an empty match right after the previous match skipped. Upstream reports
// a bad constant pattern when the program is built; here it is an evaluation error.
import type { Environment } from '@marcbachmann/cel-js';
import { libraryError } from '../library.js';
import { compileRE2 } from './re2.js';

function regex(pattern: string): RegExp {
  try {
    return compileRE2(pattern);
  } catch (err) {
    throw libraryError(`Illegal regex: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function find(s: string, pattern: string): string {
  const re = regex(pattern);
  re.lastIndex = 0;
  return re.exec(s)?.[0] ?? '';
}

function findAll(s: string, pattern: string, limit: bigint = -1n): string[] {
  const re = regex(pattern);
  const out: string[] = [];
  let pos = 0;
  let prevEnd = -1;
  while ((limit < 0n || BigInt(out.length) < limit) && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      // An empty match: not right where the last one ended, and the search moves one code point on.
      if (start === prevEnd) accept = false;
      const cp = s.codePointAt(start);
      pos = start + (cp === undefined ? 1 : cp > 0xffff ? 2 : 1);
    } else {
      pos = end;
    }
    prevEnd = end;
    if (accept) out.push(m[0]);
  }
  return out;
}

export function registerRegex(env: Environment): void {
  env.registerFunction('string.find(string): string', find);
  env.registerFunction('string.findAll(string): list<string>', (s: string, p: string) => findAll(s, p));
  env.registerFunction('string.findAll(string, int): list<string>', findAll);
}
