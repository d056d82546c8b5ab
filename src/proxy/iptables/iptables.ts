// The one place that runs the iptables binaries: `iptables-restore --noflush` applies an input
// (each table's section is committed as one kernel transaction at its COMMIT), `iptables-save`
// reads the tables back. Errors come back as IptablesError with the tool's message and the
// input line it names, so the proxier can blame the service port that wrote that line.
import { firstLines, RuleToolError, runTool } from '../run-tool.js';
import { toolPaths } from './family.js';

export const defaultIptablesRestorePath = toolPaths.IPv4.restore;
export const defaultIptablesSavePath = toolPaths.IPv4.save;

export class IptablesError extends RuleToolError {
  override name = 'IptablesError';
}

/** Line numbers in "Error occurred at line: 4" (nf_tables backend) and "iptables-restore: line 3 failed" (both). */
export function errorLines(stderr: string): number[] {
  const out = new Set<number>();
  for (const m of stderr.matchAll(/\bline:? (\d+)/g)) out.add(Number(m[1]));
  return [...out].sort((a, b) => a - b);
}

async function run(path: string, args: string[], stdin: string): Promise<string> {
  const r = await runTool(path, args, stdin).catch((e: Error) => {
    throw new IptablesError(`cannot run ${path}: ${e.message}`, '', []);
  });
  if (r.code === 0) return r.stdout;
  throw new IptablesError(`${path} ${args.join(' ')} exited with ${r.code}: ${firstLines(r.stderr, 4)}`, r.stderr, errorLines(r.stderr));
}

/** Applies `input` without flushing anything it does not name (upstream: `iptables-restore -w 5 --noflush`). */
export function restore(input: string, path = defaultIptablesRestorePath): Promise<void> {
  return run(path, ['-w', '5', '--noflush'], input).then(() => undefined);
}

/** `iptables-save` of one table. */
export function save(table: 'nat' | 'filter', path = defaultIptablesSavePath): Promise<string> {
  return run(path, ['-t', table], '');
}

/** `iptables-save` of every table (one process and one read of the kernel's ruleset), split by table. */
export async function saveTables(path = defaultIptablesSavePath): Promise<{ nat: SavedTable; filter: SavedTable }> {
  const text = await run(path, [], '');
  const byTable = new Map<string, string>();
  for (const m of text.matchAll(/^\*(\S+)\n([\s\S]*?)^COMMIT$/gm)) byTable.set(m[1], m[2]);
  return { nat: parseSave(byTable.get('nat') ?? ''), filter: parseSave(byTable.get('filter') ?? '') };
}

/** What `iptables-save` says of one table: its chains and the rules of each, as written after "-A CHAIN ". */
export interface SavedTable {
  chains: Map<string, string[]>;
}

export function parseSave(text: string): SavedTable {
  const chains = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) chains.set(line.slice(1, line.indexOf(' ')), []);
    else if (line.startsWith('-A ')) {
      const rest = line.slice(3);
      const at = rest.indexOf(' ');
      const chain = at < 0 ? rest : rest.slice(0, at);
      let rules = chains.get(chain);
      if (!rules) chains.set(chain, (rules = []));
      rules.push(at < 0 ? '' : rest.slice(at + 1));
    }
  }
  return { chains };
}

/** Whether iptables-restore runs here and may talk to the kernel (reading a table needs CAP_NET_ADMIN); undefined if so, else why not. */
export async function iptablesAvailable(restorePath = defaultIptablesRestorePath, savePath = defaultIptablesSavePath): Promise<string | undefined> {
  if (process.platform !== 'linux') return `iptables needs Linux (this is ${process.platform})`;
  try {
    await run(restorePath, ['--version'], '');
    await save('nat', savePath);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
