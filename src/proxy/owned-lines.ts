// Lines of a rule-tool input (nft script, iptables-restore input), each remembering the service
// port that wrote it, so that an error the tool reports at line N can be blamed on that port.
import type { ServicePortKey } from './service-port.js';

export class OwnedLines {
  private readonly texts: string[] = [];
  private readonly owners: (ServicePortKey | undefined)[] = [];

  push(text: string, owner?: ServicePortKey): void {
    this.texts.push(text);
    this.owners.push(owner);
  }

  get length(): number {
    return this.texts.length;
  }

  /** The service ports that wrote the given 1-based lines. */
  ownersOf(lines: readonly number[]): ServicePortKey[] {
    const out = new Set<ServicePortKey>();
    for (const n of lines) {
      const o = this.owners[n - 1];
      if (o !== undefined) out.add(o);
    }
    return [...out];
  }

  lineAt(n: number): string | undefined {
    return this.texts[n - 1];
  }

  all(): readonly string[] {
    return this.texts;
  }
}
