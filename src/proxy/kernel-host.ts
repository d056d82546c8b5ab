// What a kernel-mode proxier (nftables, iptables) changes on the host beside its rules, and puts
// back on stop: net.ipv4.conf.all.route_localnet (so traffic from other hosts reaches loopback
// endpoints; see nftables/sysctl.ts) and the local route of the service CIDR (so a ClusterIP
// nobody serves is answered here instead of leaving by the default route).
import type { Logger } from '../util/log.js';
import { enableRouteLocalnet, type SysctlChange } from './nftables/sysctl.js';
import { ensureLocalRoute, type LocalRoute } from './userspace/local-route.js';

export interface KernelHostOptions {
  serviceCidr: string;
  /** The proxier's family: route_localnet is an IPv4 setting (IPv6 has none), so only IPv4 sets it. Default IPv4. */
  ipFamily?: 'IPv4' | 'IPv6';
  /** Set route_localnet while running (IPv4 only); default true. */
  routeLocalnet?: boolean;
  /** Route the service CIDR to lo while running; default true. */
  manageLocalRoute?: boolean;
}

export class KernelHostSetup {
  private constructor(
    private sysctl: SysctlChange | undefined,
    private route: LocalRoute | undefined,
    private readonly log: Logger,
  ) {}

  /** Applies what the options ask for; a failure is logged with what stops working, never thrown. */
  static async apply(opts: KernelHostOptions, log: Logger): Promise<KernelHostSetup> {
    let sysctl: SysctlChange | undefined;
    if (opts.routeLocalnet !== false && opts.ipFamily !== 'IPv6') {
      try {
        sysctl = await enableRouteLocalnet();
        if (sysctl.changed) log.info('set net.ipv4.conf.all.route_localnet=1 so traffic from other hosts can reach loopback endpoints');
      } catch (err) {
        log.warn({ err }, 'cannot set net.ipv4.conf.all.route_localnet; NodePorts will not work from other hosts');
      }
    }
    let route: LocalRoute | undefined;
    if (opts.manageLocalRoute !== false) {
      route = await ensureLocalRoute(opts.serviceCidr);
      if (route.error) log.warn({ serviceCidr: opts.serviceCidr }, route.error);
    }
    return new KernelHostSetup(sysctl, route, log);
  }

  /** Puts back what apply changed; safe to call more than once. */
  async restore(): Promise<void> {
    await this.sysctl?.restore().catch((err: unknown) => this.log.warn({ err }, 'cannot restore net.ipv4.conf.all.route_localnet'));
    this.sysctl = undefined;
    await this.route?.remove();
    this.route = undefined;
  }
}
