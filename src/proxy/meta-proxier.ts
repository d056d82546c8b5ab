// Several proxiers acting as one (upstream pkg/proxy/metaproxier): a dual-stack proxy runs one
// kernel proxier per IP family, each with its own table, and hands every sync to all of them.
// Each sees the whole state and picks out its family's addresses, so nothing is split here.
// Syncs run one family after the other (nft transactions of two tables gain nothing from
// overlapping); a failing proxier does not keep the others from syncing or stopping.
import type { Proxier, ProxierOptions, ProxyState } from './proxier.js';
import type { ServicePortKey } from './service-port.js';

export type IpFamily = 'IPv4' | 'IPv6';

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

/**
 * A kernel mode's proxierFactories entry for a `serviceCidr` that may list one CIDR per family
 * ("10.96.0.0/12,fd00:10:96::/108"): one proxier per family listed (the first is primary), as
 * upstream's dual-stack kube-proxy runs one per family under a meta-proxier; a single CIDR gives
 * that family's proxier alone (each cleans the stale UDP flows of its own family). As upstream,
 * a secondary family that cannot be set up
 * (e.g. IPv6 disabled) leaves the proxy single-stack, with a warning.
 */
export async function proxierPerFamily<O extends ProxierOptions, P extends Proxier>(
  mode: string,
  opts: O,
  create: (opts: O, ipFamily: IpFamily) => Promise<P>,
): Promise<P | MetaProxier<P>> {
  const cidrs = opts.serviceCidr.split(',').map((c) => c.trim()).filter(Boolean);
  const familyOf = (cidr: string): IpFamily => (cidr.includes(':') ? 'IPv6' : 'IPv4');
  if (cidrs.length <= 1) return create(opts, familyOf(cidrs[0] ?? ''));
  const proxiers: P[] = [];
  for (const [i, cidr] of cidrs.entries()) {
    const ipFamily = familyOf(cidr);
    try {
      proxiers.push(await create({ ...opts, serviceCidr: cidr }, ipFamily));
    } catch (err) {
      if (i > 0) {
        opts.log.warn({ err, serviceCidr: cidr }, `cannot set up ${ipFamily} forwarding; running single-stack (${familyOf(cidrs[0])} only)`);
        continue;
      }
      throw err;
    }
  }
  return proxiers.length === 1 ? proxiers[0] : new MetaProxier(mode, proxiers);
}
