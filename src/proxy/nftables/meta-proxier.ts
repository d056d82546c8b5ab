// Several proxiers acting as one (upstream pkg/proxy/metaproxier): a dual-stack proxy runs one
// kernel proxier per IP family, each with its own table, and hands every sync to all of them.
// Each sees the whole state and picks out its family's addresses, so nothing is split here.
// Syncs run one family after the other (nft transactions of two tables gain nothing from
// overlapping); a failing proxier does not keep the others from syncing or stopping.
import type { Proxier, ProxyState } from '../proxier.js';
import type { ServicePortKey } from '../service-port.js';

export class MetaProxier<P extends Proxier = Proxier> implements Proxier {
  constructor(
    readonly mode: string,
    /** Primary family first. */
    readonly proxiers: readonly P[],
  ) {}

  async sync(state: ProxyState, changed: ReadonlySet<ServicePortKey>): Promise<void> {
    const errors: unknown[] = [];
    for (const p of this.proxiers) await p.sync(state, changed).catch((err: unknown) => errors.push(err));
    if (errors.length) throw errors[0];
  }

  async stop(): Promise<void> {
    const errors: unknown[] = [];
    for (const p of this.proxiers) await p.stop().catch((err: unknown) => errors.push(err));
    if (errors.length) throw errors[0];
  }
}
