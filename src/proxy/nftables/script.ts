// An nft script under construction, one command per line, remembering which service port wrote
// each line so that an error nft reports at line N can be blamed on that service port.
import { OwnedLines } from '../owned-lines.js';
import type { ServicePortKey } from '../service-port.js';

export class NftScript {
  private readonly lines = new OwnedLines();

  constructor(readonly family: string, readonly table: string) {}

  /** Appends one command ("add rule …", "flush chain …"); `owner` is the service port it is for. */
  add(command: string, owner?: ServicePortKey): void {
    this.lines.push(command, owner);
  }

  /** `add rule <family> <table> <chain> <rule>` */
  rule(chain: string, rule: string, owner?: ServicePortKey): void {
    this.add(`add rule ${this.family} ${this.table} ${chain} ${rule}`, owner);
  }

  get length(): number {
    return this.lines.length;
  }

  /** The service ports that wrote the given 1-based lines. */
  ownersOf(lines: readonly number[]): ServicePortKey[] {
    return this.lines.ownersOf(lines);
  }

  lineAt(n: number): string | undefined {
    return this.lines.lineAt(n);
  }

  commands(): readonly string[] {
    return this.lines.all();
  }

  text(): string {
    return this.lines.all().join('\n') + '\n';
  }
}
