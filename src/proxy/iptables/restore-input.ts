// An iptables-restore input under construction, table by table. Each table's section is written
// in the order the tool needs within one transaction: chain declarations first (":NAME - [0:0]"
// creates a chain, or flushes it under --noflush), then rule commands (-D/-I/-A), then chain
// deletions (-X), which must come after every rule that jumped to the chain is gone. Each line
// remembers the service port that wrote it, so an error naming a line names a service port.
import { OwnedLines } from '../owned-lines.js';
import type { ServicePortKey } from '../service-port.js';
import type { Table } from './rules.js';

interface Line {
  text: string;
  owner: ServicePortKey | undefined;
}

interface Section {
  declared: Set<string>;
  chains: Line[];
  rules: Line[];
  deletions: Line[];
}

const tables: readonly Table[] = ['filter', 'nat'];

export class RestoreInput {
  private readonly sections = new Map<Table, Section>(tables.map((t) => [t, { declared: new Set(), chains: [], rules: [], deletions: [] }]));
  private lines = new OwnedLines();

  /** Creates `chain`, or empties it if it exists (once per chain and input). */
  declare(table: Table, chain: string, owner?: ServicePortKey): void {
    const s = this.sections.get(table)!;
    if (s.declared.has(chain)) return;
    s.declared.add(chain);
    s.chains.push({ text: `:${chain} - [0:0]`, owner });
  }

  /** A rule command, e.g. `-A KUBE-SVC-… -j KUBE-SEP-…`. */
  rule(table: Table, command: string, owner?: ServicePortKey): void {
    this.sections.get(table)!.rules.push({ text: command, owner });
  }

  /** Deletes `chain` at the end of the table's section (it is declared, so emptied, first). */
  deleteChain(table: Table, chain: string, owner?: ServicePortKey): void {
    this.declare(table, chain, owner);
    this.sections.get(table)!.deletions.push({ text: `-X ${chain}`, owner });
  }

  /** Lines of input so far (declarations, rules, deletions). */
  get size(): number {
    let n = 0;
    for (const s of this.sections.values()) n += s.chains.length + s.rules.length + s.deletions.length;
    return n;
  }

  /** Puts everything of `first` before what this input has, section by section (declarations, rules, deletions). */
  prepend(first: RestoreInput): void {
    for (const [table, s] of this.sections) {
      const f = first.sections.get(table)!;
      s.chains = [...f.chains.filter((l) => !s.declared.has(l.text.slice(1, l.text.indexOf(' ')))), ...s.chains];
      for (const c of f.declared) s.declared.add(c);
      s.rules = [...f.rules, ...s.rules];
      s.deletions = [...f.deletions, ...s.deletions];
    }
  }

  /** The input; tables with nothing to do are left out. */
  text(): string {
    this.lines = new OwnedLines();
    const push = (l: Line | string) => (typeof l === 'string' ? this.lines.push(l) : this.lines.push(l.text, l.owner));
    for (const [table, s] of this.sections) {
      if (!s.chains.length && !s.rules.length && !s.deletions.length) continue;
      push(`*${table}`);
      for (const l of [...s.chains, ...s.rules, ...s.deletions]) push(l);
      push('COMMIT');
    }
    return this.lines.length ? `${this.lines.all().join('\n')}\n` : '';
  }

  /** The service ports that wrote the given 1-based lines of the last text(). */
  ownersOf(lines: readonly number[]): ServicePortKey[] {
    return this.lines.ownersOf(lines);
  }

  lineAt(n: number): string | undefined {
    return this.lines.lineAt(n);
  }
}
